"""WAST scripts (the spec test suite's format) to the commands of :mod:`wasmrun.text.script`.

The whole script is tokenized once.  Modules are not parsed here: a text
module is kept as its source text (the ``(module ...)`` form) and a quoted one
as its text, to be encoded by :meth:`ModuleSource.to_binary` when the command
runs, so that one malformed module fails only the assertion about it.  What is
parsed here is the script around the modules: commands, actions, constants
and expected results.  A malformed script raises
:class:`~wasmrun.errors.TextSyntaxError` with its line.
"""

from __future__ import annotations

import re

from wasmrun.component.text.script_values import COMPONENT_ONLY_KEYWORDS, parse_component_value
from wasmrun.text.cursor import Cursor
from wasmrun.text.lexer import is_id, tokenize
from wasmrun.text.literals import SHAPES, join_lanes, parse_f32, parse_f64, parse_int, parse_lane
from wasmrun.text.script import (
    Action,
    ActionCommand,
    AssertException,
    AssertExhaustion,
    AssertInvalid,
    AssertMalformed,
    AssertReturn,
    AssertTrap,
    AssertUnlinkable,
    Command,
    ComponentAssertReturn,
    ComponentInvoke,
    Either,
    Expected,
    Get,
    Invoke,
    ModuleCommand,
    ModuleDefinition,
    ModuleInstance,
    ModuleSource,
    NanPattern,
    NullPattern,
    RefPattern,
    Register,
    Script,
    V128Pattern,
    Value,
)
from wasmrun.types import (
    HEAP_ANY,
    HEAP_ARRAY,
    HEAP_BY_TEXT,
    HEAP_EQ,
    HEAP_I31,
    HEAP_STRUCT,
    RefType,
    ValType,
    ValueType,
    ref_type,
)

_MODULE_FIELDS = frozenset(("type", "import", "func", "table", "memory", "global", "export", "start", "elem", "data"))
_NAN_PATTERNS = {"nan:canonical": "canonical", "nan:arithmetic": "arithmetic"}
_FLOAT_LANE_TYPES = {"f32x4": ValType.F32, "f64x2": ValType.F64}
_HEAPTYPES: dict[str, ValueType] = {text: ref_type(True, heap) for text, heap in HEAP_BY_TEXT.items()}
# The GC results that name only the kind of a non-null reference (``(ref.struct)``), by keyword.
_GC_REF_PATTERNS = {
    "ref.struct": HEAP_STRUCT,
    "ref.array": HEAP_ARRAY,
    "ref.i31": HEAP_I31,
    "ref.eq": HEAP_EQ,
    "ref.any": HEAP_ANY,
}


def parse_script(text: str) -> list[Command]:
    """The commands of a WAST script, in order."""
    return _ScriptParser(text, tokenize(text)).script()


def read_script(text: str) -> Script:
    """A WAST script's commands and its ``;;! key = value`` directives."""
    return Script(parse_script(text), parse_directives(text))


_DIRECTIVE = re.compile(r";;!\s*([^=\s]+)\s*=\s*(.*?)\s*$")


def parse_directives(text: str) -> list[tuple[str, str]]:
    """The ``;;! key = value`` lines of a script's head (Wasmtime's feature switches), in order.

    They are read among the comments and blank lines before the first command.
    """
    directives = []
    for line in text.splitlines():
        stripped = line.strip()
        match = _DIRECTIVE.match(stripped)
        if match is not None:
            directives.append((match.group(1), match.group(2)))
        elif stripped and not stripped.startswith(";;"):
            break
    return directives


class _ScriptParser(Cursor):
    def __init__(self, text: str, tokens: list[tuple[str, int]]) -> None:
        super().__init__(text, tokens)
        # Line counting moves forward only: the line of the last offset asked.
        self._line_offset = 0
        self._line = 1
        # Whether the last module-like command was a component: its invocations take component values.
        self._components = False

    def line(self, index: int | None = None) -> int:
        """The line of a token; tokens must be asked for in order."""
        offset = self.toks[self.i if index is None else index][1]
        if offset < self._line_offset:  # pragma: no cover - defensive, callers go forward
            return self.position(index)[0]
        self._line += self.text.count("\n", self._line_offset, offset)
        self._line_offset = offset
        return self._line

    def script(self) -> list[Command]:
        toks = self.toks
        if toks[0][0] == "(" and toks[1][0] in _MODULE_FIELDS:
            # A script that is one module written as bare fields (inline-module.wast).
            line = self.line()
            return [ModuleCommand(line, ModuleSource("text", None, line, text=self.text))]
        commands: list[Command] = []
        while toks[self.i][0] == "(":
            commands.append(self._command())
        self.expect("")
        return commands

    def _command(self) -> Command:
        line = self.line()
        keyword = self.toks[self.i + 1][0]
        if keyword in ("module", "component"):
            self._components = keyword == "component"
            following = self.toks[self.i + 2][0]
            if following == "instance":
                self.i += 3
                instance = self._optional_id()
                definition = self._optional_id()
                self.expect(")")
                return ModuleInstance(line, instance, definition, component=self._components)
            if following == "definition":
                return ModuleDefinition(line, self._module())
            return ModuleCommand(line, self._module())
        if keyword in ("invoke", "get"):
            return ActionCommand(line, self._action())
        self.i += 2
        command: Command
        if keyword == "assert_return":
            action = self._action()
            if isinstance(action, ComponentInvoke):
                values = []
                while self.tok == "(":
                    values.append(parse_component_value(self))
                command = ComponentAssertReturn(line, action, tuple(values))
            else:
                expected = []
                while self.tok == "(":
                    expected.append(self._expected())
                command = AssertReturn(line, action, tuple(expected))
        elif keyword == "assert_trap":
            around_module = self.at_form("module") or self.at_form("component")
            target: Action | ModuleSource = self._module() if around_module else self._action()
            command = AssertTrap(line, target, self._message())
        elif keyword == "assert_exhaustion":
            action = self._action()
            command = AssertExhaustion(line, action, self._message())
        elif keyword == "assert_exception":
            command = AssertException(line, self._action())
        elif keyword == "assert_malformed":
            module = self._module()
            command = AssertMalformed(line, module, self._message())
        elif keyword == "assert_invalid":
            module = self._module()
            command = AssertInvalid(line, module, self._message())
        elif keyword == "assert_unlinkable":
            module = self._module()
            command = AssertUnlinkable(line, module, self._message())
        elif keyword == "register":
            as_name = self.name()
            module_name = self._optional_id()
            command = Register(line, as_name, module_name)
        else:
            self.unexpected(self.i - 1)
        self.expect(")")
        return command

    def _optional_id(self) -> str | None:
        token = self.tok
        if is_id(token):
            self.i += 1
            return token
        return None

    def _message(self) -> str:
        return self.string().decode("utf-8", "replace")

    def _module(self) -> ModuleSource:
        """``(module $id? ...)``, ``(module $id? binary "..."*)`` or ``(module $id? quote "..."*)``.

        ``(module definition $id? ...)`` is read the same way, its text without the keyword; and so are
        the same forms of ``component`` (a ModuleSource with ``component`` set).
        """
        start = self.i
        line = self.line()
        self.expect("(")
        component = self.tok == "component"
        self.expect("component" if component else "module")
        keyword: tuple[int, int] | None = None
        if self.tok == "definition":
            offset = self.toks[self.i][1]
            keyword = (offset, offset + len("definition"))
            self.i += 1
        module_name = self._optional_id()
        if self.tok == "binary":
            self.i += 1
            data = self.strings()
            self.expect(")")
            return ModuleSource("binary", module_name, line, binary=data, component=component)
        if self.tok == "quote":
            self.i += 1
            quoted = self.strings()
            self.expect(")")
            text = quoted.decode("utf-8", "surrogateescape")
            return ModuleSource("quote", module_name, line, text=text, component=component)
        self.i = self.skip_form(start)
        end = self.toks[self.i - 1][1] + 1
        if keyword is None:
            text = self.text[self.toks[start][1] : end]
        else:  # the keyword blanked out, so that positions in the text stay where they were
            before, after = keyword
            text = self.text[self.toks[start][1] : before] + " " * (after - before) + self.text[after:end]
        return ModuleSource("text", module_name, line, text=text, component=component)

    def _action(self) -> Action:
        line = self.line()
        self.expect("(")
        keyword = self.tok
        if keyword not in ("invoke", "get"):
            self.unexpected()
        self.i += 1
        module_name = self._optional_id()
        export_name = self.name()
        if keyword == "get":
            self.expect(")")
            return Get(line, module_name, export_name)
        if self._components or self._component_values_follow():
            values = []
            while self.tok == "(":
                values.append(parse_component_value(self))
            self.expect(")")
            return ComponentInvoke(line, module_name, export_name, tuple(values))
        args = []
        while self.tok == "(":
            args.append(self._const())
        self.expect(")")
        return Invoke(line, module_name, export_name, tuple(args))

    def _component_values_follow(self) -> bool:
        """Whether the next argument is a component value that cannot be a core constant."""
        return self.tok == "(" and self.toks[self.i + 1][0] in COMPONENT_ONLY_KEYWORDS

    def _const(self) -> Value:
        """An argument: ``(t.const c)``, ``(ref.null t)`` or ``(ref.extern n)``."""
        self.expect("(")
        keyword = self.tok
        self.i += 1
        value: Value
        if keyword == "i32.const":
            value = Value(ValType.I32, self.literal(parse_int, 32))
        elif keyword == "i64.const":
            value = Value(ValType.I64, self.literal(parse_int, 64))
        elif keyword == "f32.const":
            value = Value(ValType.F32, self.literal(parse_f32))
        elif keyword == "f64.const":
            value = Value(ValType.F64, self.literal(parse_f64))
        elif keyword == "v128.const":
            _, bits = self.v128_lanes()
            value = Value(ValType.V128, bits)
        elif keyword == "ref.null":
            heaptype = _HEAPTYPES.get(self.tok)
            if heaptype is None:
                self.unexpected()
            self.i += 1
            value = Value(heaptype, None)
        elif keyword == "ref.extern":
            value = Value(ValType.EXTERNREF, self.nat(64))
        elif keyword == "ref.host":  # a host reference inside the any hierarchy (GC)
            value = Value(RefType(True, HEAP_ANY), self.nat(64))
        else:
            self.unexpected(self.i - 1)
        self.expect(")")
        return value

    def _expected(self) -> Expected:
        """A result: a constant, a NaN pattern, a v128 with NaN lanes, ``(ref.func)``/``(ref.extern)``,
        or ``(either result*)``."""
        toks = self.toks
        keyword = toks[self.i + 1][0]
        if keyword == "either":
            self.i += 2
            alternatives = []
            while self.tok == "(":
                alternative = self._expected()
                if isinstance(alternative, Either):
                    self.unexpected()
                alternatives.append(alternative)
            self.expect(")")
            return Either(tuple(alternatives))
        following = toks[self.i + 2][0]
        if keyword in ("f32.const", "f64.const") and following in _NAN_PATTERNS:
            self.i += 3
            self.expect(")")
            valtype = ValType.F32 if keyword == "f32.const" else ValType.F64
            return NanPattern(valtype, _NAN_PATTERNS[following])  # type: ignore[arg-type]
        if keyword == "v128.const" and following in _FLOAT_LANE_TYPES:
            return self._v128_expected()
        if keyword in ("ref.func", "ref.extern") and following == ")":
            self.i += 3
            return RefPattern(ValType.FUNCREF if keyword == "ref.func" else ValType.EXTERNREF)
        if keyword in _GC_REF_PATTERNS and following == ")":
            self.i += 3
            return RefPattern(RefType(True, _GC_REF_PATTERNS[keyword]))
        if keyword == "ref.null" and following == ")":
            self.i += 3
            return NullPattern()
        return self._const()

    def _v128_expected(self) -> Expected:
        """``(v128.const f32x4|f64x2 lane*)`` where a lane may be a NaN pattern."""
        self.i += 2
        shape = self.tok
        self.i += 1
        count, bits, _ = SHAPES[shape]
        lane_type = _FLOAT_LANE_TYPES[shape]
        lanes: list[int | NanPattern] = []
        start = self.i
        while self.tok != ")" and self.tok != "":
            token = self.tok
            pattern = _NAN_PATTERNS.get(token)
            if pattern is not None:
                lanes.append(NanPattern(lane_type, pattern))  # type: ignore[arg-type]
                self.i += 1
            else:
                lanes.append(self.literal(parse_lane, shape))
        if len(lanes) != count:
            self.error("wrong number of lane literals", start)
        self.expect(")")
        if any(isinstance(lane, NanPattern) for lane in lanes):
            return V128Pattern(shape, tuple(lanes))
        return Value(ValType.V128, join_lanes(lanes, bits))  # type: ignore[arg-type]
