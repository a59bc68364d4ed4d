"""The compiled tier: each wasm function as a Python function (see :mod:`wasmrun.codegen`).

Binding
=======

Each instance gets one namespace (a dict, the generated functions' globals,
kept on the instance) holding what the generated source names: ``f<k>`` the
positional callable of function ``k`` (the compiled function once there is
one, else an adapter), ``fi<k>`` the function instance itself
(``ref.func``), ``m<k>`` the memories, ``V<k>`` and ``V<k>_<format>`` their
current views (replaced by a grow listener of the memory, so compiled code
never re-reads them after a call), ``g<k>`` the globals, ``T<k>``/``E<k>``
the tables and their element lists, ``ty<k>`` the (interned) types,
``datas``/``elems`` the segments, and the numeric functions and helpers of
:data:`_BASE_NAMESPACE`.  A function compiled later replaces its ``f<k>``
there (and its ``direct`` and ``entry``), so callers reach it at once.

Calling conventions
===================

Compiled code calls ``f<k>(a, b)``: one Python frame per wasm frame.  The
interpreter calls ``function.entry(list)``.  Between them, adapters made per
arity (never ``f(*args)``, which would recurse in C): a compiled function's
``entry`` unpacks the list (:func:`entry_adapter`), an interpreted
function's ``direct`` packs one (:func:`direct_adapter`), and an imported
wasm function is reached through a forwarder to its current ``direct``.

Traps and frames
================

Nothing in compiled code records frames.  Every instruction that can trap,
and every call, is on its own line; when a trap leaves compiled code through
an entry adapter, :func:`add_frames` walks the traceback: each consecutive
frame of a generated function (found by its code object) contributes
``(function index, offset of its line)``, innermost first, exactly what the
interpreter records.  An ``IndexError``/``struct.error`` is the
out-of-bounds trap only if raised directly by a memory-access line
(:func:`memory_trap`); anything else is an engine bug and propagates as it
is.  ``RecursionError`` becomes ``call stack exhausted`` (see
:mod:`wasmrun.engine.interpreter` for how the depth limit is set); a frame
Python's limit stopped at its start is the callee that did not fit, ``(index,
-1)``.  A timeout's trap (raised asynchronously, at a call or a back edge:
see :func:`wasmrun.launch._deadline`) may stop at any line: the generated
function's ``positions`` place those.

Options (:class:`CodeOptions`): code metering fuel or counting calls is
generated only when the executor gives it a meter, and never otherwise; the
meter object itself is bound in the namespace (``FUEL``, ``STATS``), so the
code reaches it as a global name, looked up nowhere else.
"""

from __future__ import annotations

import marshal
import operator
import struct
import sys
import weakref
from collections.abc import Callable
from types import CodeType, TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from wasmrun import errors
from wasmrun.errors import (
    TRAP_CALL_STACK_EXHAUSTED,
    TRAP_INTERRUPT,
    TRAP_MEMORY_OUT_OF_BOUNDS,
    TRAP_NULL_FUNCTION_REFERENCE,
    Trap,
    WasmException,
)
from wasmrun.runtime.functions import (
    FunctionInstance,
    TailCall,
    WasmFunction,
    finish_tail_calls,
    resolve_indirect,
    tail_callee,
)
from wasmrun.runtime.interrupt import garbage_collector_callback
from wasmrun.runtime.memory import TYPED_FORMATS, MemoryInstance
from wasmrun.runtime.tags import ExceptionInstance
from wasmrun.semantics.frames import SLOTS_PER_FRAME

if TYPE_CHECKING:
    from wasmrun.codegen import Expressions, GeneratedFunction
    from wasmrun.engine.meters import CallCounters, FuelMeter  # made by the engine, given to the code it compiles
    from wasmrun.module import Module
    from wasmrun.runtime.instance import Instance

# Start-up: the interpreter needs only the adapters and frames of this module at first; the code
# generator and the numeric rules are imported when something is compiled (expressions(),
# _base_namespace()), which a short run may never do.

_EXPRESSIONS: list[Expressions] = []


def expressions() -> Expressions:
    """The numeric rules the generator writes out, from :mod:`wasmrun.semantics.numeric` (made on first use)."""
    if not _EXPRESSIONS:
        from wasmrun.codegen import Expressions
        from wasmrun.semantics import numeric

        _EXPRESSIONS.append(
            Expressions(
                numeric.NUMERIC_TEMPLATES,
                numeric.SIGNED_VIEWS,
                numeric.NUMERIC_FUNCTIONS,
                numeric.WRAPPING_TEMPLATES,
                numeric.REDUCE_TEMPLATES,
                numeric.RAW_OPERAND_TEMPLATES,
                numeric.DIVISION_TEMPLATES,
            )
        )
    return _EXPRESSIONS[0]


def __getattr__(name: str) -> Any:
    # ``compiled.EXPRESSIONS`` reads as a constant, made when first read.
    if name == "EXPRESSIONS":
        return expressions()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_TYPED_VIEWS = frozenset(TYPED_FORMATS)
FORCE_FLAT = False  # tests: compile every function in the flat form


class CodeOptions(NamedTuple):
    """What generated code does besides the function's work, and with what: the meters themselves.

    ``fuel``: the :class:`~wasmrun.engine.meters.FuelMeter` metering code
    charges, ``stats``: the :class:`~wasmrun.engine.meters.CallCounters` it
    counts calls in; None: no such code.  Each is generated only when on, and
    reaches the meter by a name the namespace binds to it (``FUEL``, with
    ``FUEL_OUT`` and ``FUEL_USE`` its bound methods; ``STATS``).
    """

    fuel: FuelMeter | None = None
    stats: CallCounters | None = None


NO_OPTIONS = CodeOptions()


MAX_COMPILED_BODY_BYTES = 64 * 1024
"""Functions with longer bodies stay interpreted: CPython needs ~1.2 KB of memory per byte of wasm body
to compile their Python source (80 MB and a second at this size: a 124 KB function of GCC's cc1 took
155 MB), memory a process rarely gives back; the interpreter binds ~0.1 KB per byte it runs.  (SQLite's
largest function, its bytecode engine, is 50 KB.)"""


def too_large_to_compile(module: Module, index: int) -> bool:
    body = module.body(index)
    return body.end - body.code_start > MAX_COMPILED_BODY_BYTES


# --- frames -------------------------------------------------------------------------------------


class CodeInfo:
    """What a generated function's code object maps back to.

    ``positions`` (see :class:`GeneratedFunction`) places the lines ``lines``
    does not: those an asynchronous trap (a timeout) may stop at.  Both are
    read only when a trap leaves the code, so they are kept packed (marshal:
    a tenth of the memory of the dict and the tuples; a large program's
    compiled code has hundreds of thousands of lines).
    """

    __slots__ = ("_lines", "_positions", "function_index")

    def __init__(
        self,
        function_index: int,
        lines: dict[int, tuple[int, int]],
        positions: tuple[tuple[int, int], ...] = (),
    ) -> None:
        self.function_index = function_index
        self._lines = marshal.dumps(lines)
        self._positions = marshal.dumps(positions)

    @property
    def lines(self) -> dict[int, tuple[int, int]]:
        lines: dict[int, tuple[int, int]] = marshal.loads(self._lines)
        return lines

    @property
    def positions(self) -> tuple[tuple[int, int], ...]:
        positions: tuple[tuple[int, int], ...] = marshal.loads(self._positions)
        return positions

    def position(self, line: int) -> int:
        """The offset of the wasm instruction at ``line`` (or the nearest before it; the first if none)."""
        known = [(number, offset) for number, offset in self.positions if offset >= 0]
        found = -1
        for number, offset in known:
            if number > line:
                break
            found = offset
        if found < 0 and known:
            found = known[0][1]
        return found


# id(code object) -> (a weak reference keeping the entry only while the code lives, its info).  Not a
# WeakKeyDictionary: hashing a code object hashes its whole bytecode.
_CODE_INFO: dict[int, tuple[weakref.ref[CodeType], CodeInfo]] = {}


def _register(code: CodeType, info: CodeInfo) -> None:
    key = id(code)

    @garbage_collector_callback
    def forget(_reference: weakref.ref[CodeType]) -> None:
        _CODE_INFO.pop(key, None)

    _CODE_INFO[key] = (weakref.ref(code, forget), info)


def code_info(code: CodeType) -> CodeInfo | None:
    """The info of a generated function's code object (None for any other code)."""
    found = _CODE_INFO.get(id(code))
    if found is None or found[0]() is not code:
        return None
    return found[1]


def add_frames(trap: Trap, traceback: TracebackType | None) -> None:
    """Append the frames of the generated functions just below ``traceback``'s first frame (the adapter)."""
    from wasmrun.codegen import AT  # loaded already: there is compiled code

    frames: list[tuple[int, int]] = []
    tb = traceback.tb_next if traceback is not None else None
    while tb is not None:
        code = tb.tb_frame.f_code
        info = code_info(code)
        if info is None:
            if code in _PASS_THROUGH:  # a trampoline between compiled frames (tail calls)
                tb = tb.tb_next
                continue
            break
        line = info.lines.get(tb.tb_lineno)
        if line is not None:
            kind, offset = line
            if kind == AT:
                offset = trap.__dict__.pop("at", -1)
            frames.append((info.function_index, offset))
        elif trap.message == TRAP_INTERRUPT:
            frames.append((info.function_index, info.position(tb.tb_lineno)))
        elif trap.message == TRAP_CALL_STACK_EXHAUSTED:
            # The frame Python's limit stopped before it did anything (ENTER, counting): the callee that
            # did not fit, as the interpreter names it (see wasmrun.engine.interpreter.limit_exhausted_frames).
            frames.append((info.function_index, -1))
        tb = tb.tb_next
    frames.reverse()
    trap.frames.extend(frames)


def stack_exhausted(error: RecursionError) -> Trap:
    """The trap for a RecursionError that left compiled code (with the compiled frames it passed)."""
    trap = Trap(TRAP_CALL_STACK_EXHAUSTED)
    add_frames(trap, error.__traceback__)
    return trap


def memory_trap(error: Exception, packed_memory_lines: bytes) -> Exception:
    """The out-of-bounds trap for ``error`` if a memory access raised it, else ``error`` itself (a bug).

    ``packed_memory_lines``: the function's memory lines (line -> offset), marshalled.
    """
    tb = error.__traceback__
    if tb is None or tb.tb_next is not None:
        return error
    memory_lines: dict[int, int] = marshal.loads(packed_memory_lines)
    if tb.tb_lineno not in memory_lines:
        return error
    trap = Trap(TRAP_MEMORY_OUT_OF_BOUNDS)
    trap.at = memory_lines[tb.tb_lineno]  # type: ignore[attr-defined]  # the frame's offset (see add_frames)
    return trap


def indirect(elements: list[Any], index: int, function_type: Any) -> Callable[..., Any]:
    """``call_indirect``'s slow path: the callee's ``direct``, or the trap (see :func:`resolve_indirect`)."""
    direct: Callable[..., Any] = resolve_indirect(elements, index, function_type).direct
    return direct


def ref_direct(function: FunctionInstance | None) -> Callable[..., Any]:
    """``call_ref``'s callee: the function's ``direct``, or the null trap."""
    if function is None:
        raise Trap(TRAP_NULL_FUNCTION_REFERENCE)
    return function.direct


def non_null_function(function: FunctionInstance | None) -> FunctionInstance:
    """``return_call_ref``'s callee, or the null trap."""
    if function is None:
        raise Trap(TRAP_NULL_FUNCTION_REFERENCE)
    return function


def enter_big_frame(cost: int) -> None:
    """A frame with many locals counts ``cost`` more frames: Python's limit is lowered while it runs.

    When the stack is already that deep, Python refuses the lower limit with a
    RecursionError, which is the stack-exhaustion trap like any other; a limit
    below 1 is refused the same way (Python would raise ValueError).
    """
    limit = sys.getrecursionlimit() - cost
    if limit < 1:
        raise RecursionError("a frame of too many locals")
    sys.setrecursionlimit(limit)


def leave_big_frame(cost: int) -> None:
    sys.setrecursionlimit(sys.getrecursionlimit() + cost)


# --- adapters -----------------------------------------------------------------------------------

_ADAPTERS: dict[tuple[str, int], Callable[..., Any]] = {}

# The code of the functions a trap passes through between compiled frames without a frame of its own: the
# trampolines of compiled functions with tail calls and the loop that makes a chain of tail calls.
_PASS_THROUGH: set[CodeType] = {finish_tail_calls.__code__}

_ADAPTER_SOURCES = {
    # A compiled function's entry: the interpreter's list in, frames on the way out.
    "entry": """\
def make(compiled):
    def entry(args):
        try:
            return compiled({unpacked})
        except Trap as trap:
            add_frames(trap, trap.__traceback__)
            raise
        except RecursionError as error:
            raise stack_exhausted(error) from None
    return entry
""",
    # An interpreted (or not yet translated) function's positional form: reads ``entry`` at each call.
    "direct": """\
def make(function):
    def direct({params}):
        return function.entry([{params}])
    return direct
""",
    # A compiled function with tail calls: its positional form, which makes the tail calls it returns.
    "trampoline": """\
def make(compiled):
    def trampoline({params}):
        result = compiled({params})
        if result.__class__ is TailCall:
            return finish_tail_calls(result)
        return result
    return trampoline
""",
    # An imported wasm function: its current positional form.
    "forward": """\
def make(function):
    def forward({params}):
        return function.direct({params})
    return forward
""",
}


def _adapter(kind: str, arity: int) -> Callable[..., Any]:
    made = _ADAPTERS.get((kind, arity))
    if made is None:
        params = ", ".join(f"a{i}" for i in range(arity))
        unpacked = ", ".join(f"args[{i}]" for i in range(arity))
        text = _ADAPTER_SOURCES[kind].replace("{params}", params).replace("{unpacked}", unpacked)
        scope: dict[str, Any] = {}
        namespace = {
            "Trap": Trap,
            "add_frames": add_frames,
            "stack_exhausted": stack_exhausted,
            "TailCall": TailCall,
            "finish_tail_calls": finish_tail_calls,
        }
        exec(compile(text, f"<wasmrun {kind} adapter {arity}>", "exec"), namespace, scope)
        made = _ADAPTERS[(kind, arity)] = scope["make"]
        if kind == "trampoline":
            _PASS_THROUGH.update(constant for constant in made.__code__.co_consts if isinstance(constant, CodeType))
    return made


def entry_adapter(compiled: Callable[..., Any], arity: int) -> Callable[[list[Any]], Any]:
    made: Callable[[list[Any]], Any] = _adapter("entry", arity)(compiled)
    return made


def direct_adapter(function: FunctionInstance) -> Callable[..., Any]:
    made: Callable[..., Any] = _adapter("direct", len(function.type.params))(function)
    return made


def forwarder(function: FunctionInstance) -> Callable[..., Any]:
    made: Callable[..., Any] = _adapter("forward", len(function.type.params))(function)
    return made


# --- namespaces ---------------------------------------------------------------------------------

_BASE_NAMESPACE: dict[str, Any] = {}


def _base_namespace() -> dict[str, Any]:
    """What every namespace starts with: the numeric functions and the helpers generated code calls."""
    if not _BASE_NAMESPACE:
        from wasmrun.codegen.gc_names import GC_NAMES
        from wasmrun.codegen.ranges import range_checked, same_checked
        from wasmrun.semantics import numeric
        from wasmrun.semantics.access import STRUCT_NAMES
        from wasmrun.semantics.atomics import ATOMIC_FUNCTIONS

        _BASE_NAMESPACE.update(
            {
                **ATOMIC_FUNCTIONS,
                **GC_NAMES,
                **{mnemonic.replace(".", "_"): function for mnemonic, function in numeric.NUMERIC_FUNCTIONS.items()},
                **numeric.TEMPLATE_GLOBALS,
                **{name: getattr(errors, name) for name in dir(errors) if name.startswith("TRAP_")},
                "Trap": Trap,
                "WasmException": WasmException,
                "ExceptionInstance": ExceptionInstance,
                "f32_from_bits": numeric.f32_from_bits,
                "f32_to_bits": numeric.f32_to_bits,
                "MEMORY_ERRORS": (
                    IndexError,
                    struct.error,
                    OverflowError,
                ),  # (an address of a 64-bit memory: OverflowError)
                "MEMORY_TRAP": memory_trap,
                "MUL": operator.mul,  # (a dot product of memory slices: wasmrun.codegen.idioms)
                "RANGE_CHECKED": range_checked,  # (only in code generated under ranges.CHECKED: tests)
                "SAME_CHECKED": same_checked,  # (likewise)
                "INDIRECT": indirect,
                "TailCall": TailCall,
                "TAIL_CALLEE": tail_callee,
                "REF_DIRECT": ref_direct,
                "NON_NULL_FUNCTION": non_null_function,
                "ENTER": enter_big_frame,
                "LEAVE": leave_big_frame,
            }
        )
        for format_, name in STRUCT_NAMES.items():
            _BASE_NAMESPACE[f"{name}_UNPACK"] = struct.Struct(format_).unpack_from
            _BASE_NAMESPACE[f"{name}_PACK"] = struct.Struct(format_).pack_into
    return _BASE_NAMESPACE


def namespace(instance: Instance, options: CodeOptions = NO_OPTIONS) -> dict[str, Any]:
    """The instance's namespace (made on first use; see the module docstring), with ``options``' meters.

    It lives on the instance: the namespace holds the instance's functions, which
    hold the instance, so nothing outside may hold the namespace.  The meters are
    its store's executor's, the same for every function of the instance.
    """
    found = instance.namespace
    if found is not None:
        return found
    names = dict(_base_namespace())
    for k, function in enumerate(instance.functions):
        names[f"fi{k}"] = function
        if isinstance(function, WasmFunction) and function.instance is not instance:
            names[f"f{k}"] = forwarder(function)
        else:
            names[f"f{k}"] = function.direct
    for k, memory in enumerate(instance.memories):
        names[f"m{k}"] = memory
        _bind_views(names, k, memory)
    for k, global_ in enumerate(instance.globals):
        names[f"g{k}"] = global_
    for k, table in enumerate(instance.tables):
        names[f"T{k}"] = table
        names[f"E{k}"] = table.elements  # the same list for the table's life (grown in place)
    for k, function_type in enumerate(instance.types):
        names[f"ty{k}"] = function_type
    for k, tag in enumerate(instance.tags):
        names[f"tag{k}"] = tag
    names["datas"] = instance.datas
    names["elems"] = instance.elements
    meter = options.fuel
    if meter is not None:
        names["FUEL"] = meter
        names["FUEL_OUT"] = meter.exhausted
        names["FUEL_USE"] = meter.use
    if options.stats is not None:
        names["STATS"] = options.stats
    instance.namespace = names
    return names


class _Views:
    """Keeps a namespace's ``V<k>`` globals current: a grow listener that lives only as long as the namespace."""

    __slots__ = ("__weakref__", "names")

    def __init__(self, names: dict[str, Any]) -> None:
        self.names = names


def _bind_views(names: dict[str, Any], k: int, memory: MemoryInstance) -> None:
    holder = _Views(names)
    names[f"__views{k}__"] = holder  # the namespace keeps the holder; the memory only a weak reference
    reference = weakref.ref(holder)

    def update(memory: MemoryInstance) -> bool:
        alive = reference()
        if alive is None:
            return False
        alive.names[f"V{k}"] = memory.view
        for format_, view in memory.typed_views.items():
            alive.names[f"V{k}_{format_}"] = view
        return True

    update(memory)
    memory.grow_listeners.append(update)


# --- compiling ----------------------------------------------------------------------------------


class CompiledCode(NamedTuple):
    """A generated function compiled by CPython: what binding it to an instance needs, and all the code
    cache keeps of it (:mod:`wasmrun.engine.code_store`).

    ``code`` is the code object of the module-level source (it defines ``name``); the other fields are
    :class:`GeneratedFunction`'s, but its ``source``.  Nothing in it belongs to an instance: the same code
    binds to any instance of the module (:func:`bind_code`).
    """

    function_index: int
    name: str
    code: CodeType
    lines: dict[int, tuple[int, int]]
    memory_lines: dict[int, int]
    constants: dict[str, Any]
    positions: tuple[tuple[int, int], ...]
    osr_heights: tuple[int, ...]
    tail_calls: bool
    form: str


def compile_generated(generated: GeneratedFunction) -> CompiledCode:
    """Compile a generated function's source (CPython's limits may raise SyntaxError, RecursionError, MemoryError)."""
    code = compile(generated.source, f"<wasm function {generated.function_index}>", "exec")
    return CompiledCode(
        generated.function_index,
        generated.name,
        code,
        generated.lines,
        generated.memory_lines,
        generated.constants,
        generated.positions,
        generated.osr_heights,
        generated.tail_calls,
        generated.form,
    )


def bind_code(compiled: CompiledCode, names: dict[str, Any]) -> Callable[..., Any]:
    """Define a compiled function in ``names`` (its globals: an instance's namespace); the Python function."""
    names.update(compiled.constants)
    names[f"{compiled.name}_ML"] = marshal.dumps(compiled.memory_lines)  # packed: read by memory_trap only
    scope: dict[str, Any] = {}
    exec(compiled.code, names, scope)
    function: Callable[..., Any] = scope[compiled.name]
    _register(function.__code__, CodeInfo(compiled.function_index, compiled.lines, compiled.positions))
    return function


def bind(generated: GeneratedFunction, names: dict[str, Any]) -> Callable[..., Any]:
    """Compile a generated function into ``names`` (its globals); the Python function."""
    return bind_code(compile_generated(generated), names)


def generate(module: Module, index: int, *, flat: bool = False, options: CodeOptions = NO_OPTIONS) -> GeneratedFunction:
    """The source this tier compiles for defined function ``index`` (its generator options, in one place)."""
    from wasmrun.codegen import generate_function

    return generate_function(
        module,
        index,
        expressions(),
        flat=flat or FORCE_FLAT,
        slots_per_frame=SLOTS_PER_FRAME,
        typed_views=_TYPED_VIEWS,
        fuel=options.fuel is not None,
        stats=options.stats is not None,
    )


def function_code(module: Module, index: int, options: CodeOptions = NO_OPTIONS) -> CompiledCode:
    """Generate and compile defined function ``index``'s code (in the flat form if CPython cannot compile the
    structured one; the flat form's own failure is raised)."""
    generated = generate(module, index, options=options)
    try:
        return compile_generated(generated)
    except (SyntaxError, RecursionError, MemoryError):
        if generated.form == "flat":
            raise
        # A CPython limit the generator did not foresee: the flat form has fewer.
        return compile_generated(generate(module, index, flat=True, options=options))


def compile_function(
    function: WasmFunction, options: CodeOptions = NO_OPTIONS
) -> tuple[Callable[..., Any], CompiledCode]:
    """Generate, compile and bind ``function``'s code (not installed: see :func:`install`)."""
    code = function_code(function.instance.module, function.index, options)
    return bind_code(code, namespace(function.instance, options)), code


def install(function: WasmFunction, compiled: Callable[..., Any], tail_calls: bool = False) -> None:
    """Make ``compiled`` the function's code for every caller: interpreter, compiled code, call_indirect.

    ``tail_calls``: the code may return a TailCall (see :mod:`wasmrun.runtime.functions`); it is then the
    function's ``tail`` (through an entry adapter), and its callers reach it through a trampoline.
    """
    arity = len(function.type.params)
    if tail_calls:
        function.tail = entry_adapter(compiled, arity)
        compiled = _adapter("trampoline", arity)(compiled)
    else:
        function.tail = None
    function.direct = compiled
    function.entry = entry_adapter(compiled, arity)
    names = function.instance.namespace
    if names is not None:
        names[f"f{function.index}"] = compiled


def loop_entry_code(
    module: Module, index: int, loop_offset: int, options: CodeOptions = NO_OPTIONS
) -> CompiledCode | None:
    """The compiled flat form of defined function ``index`` entered at the head of the loop at
    ``loop_offset`` (None: no loop there)."""
    from wasmrun.codegen import generate_loop_entry

    generated = generate_loop_entry(
        module,
        index,
        expressions(),
        loop_offset,
        name=f"osr{index}_{loop_offset}",
        slots_per_frame=SLOTS_PER_FRAME,
        typed_views=_TYPED_VIEWS,
        fuel=options.fuel is not None,  # the call it continues was counted (stats) where it began
    )
    return None if generated is None else compile_generated(generated)
