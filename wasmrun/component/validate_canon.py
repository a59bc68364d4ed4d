"""Canonical definitions (Binary.md, Canonical Definitions; CanonicalABI.md, ``canon lift``/``lower``).

Options are given at most once each (one string encoding); ``memory`` is needed when a string or
list crosses, or values are passed in memory (more than ``MAX_FLAT_PARAMS`` parameters, more than
``MAX_FLAT_RESULTS`` results), ``realloc`` when the callee side must allocate, and ``realloc`` needs
``memory``.  ``realloc`` has type ``[i32 i32 i32 i32] -> [i32]``; ``post-return`` (lift only) takes
the lifted core function's results.  The lifted core function, and the core function a lowering
makes, have the type ``flatten_functype`` gives.  ``resource.new`` and ``resource.rep`` take a resource
type this component defines, ``resource.drop`` any resource type.

The built-ins of later proposals (async, error contexts, threads) are given a core type when it is
simple, else :data:`ANY_CORE_FUNC`, which matches any function import.
"""

from __future__ import annotations

from typing import Any

from wasmrun.component.builtin_types import (
    builtin_core_type,
    context_core_type,
    context_slot_type,
    task_return_signature,
)
from wasmrun.component.canonical import (
    CanonicalBuiltin,
    CanonicalFunction,
    CanonicalOptions,
    Lift,
    Lower,
    ResourceDrop,
    ResourceNew,
    ResourceRep,
)
from wasmrun.component.flattening import flatten_functype
from wasmrun.component.sorts import Sort
from wasmrun.component.types import FuncType, ListType, Primitive, ResourceType
from wasmrun.component.validate_model import MapType, canonical, children
from wasmrun.component.validate_scope import Scope
from wasmrun.component.validate_subtype import ANY_CORE_FUNC
from wasmrun.component.validate_types import resource_at, value_type
from wasmrun.errors import UnsupportedInstruction, ValidationError
from wasmrun.types import FuncType as CoreFuncType
from wasmrun.types import ValType

_I32, _I64 = ValType.I32, ValType.I64
REALLOC_TYPE = CoreFuncType((_I32, _I32, _I32, _I32), (_I32,))
REALLOC_TYPE_64 = CoreFuncType((_I64, _I64, _I64, _I64), (_I64,))

_ENCODING_NAMES = {"string-encoding=utf8": "utf8", "string-encoding=utf16": "utf16"}
_ENCODING_NAMES["string-encoding=latin1+utf16"] = "latin1-utf16"


def _core(params: tuple[ValType, ...], results: tuple[ValType, ...]) -> CoreFuncType:
    return CoreFuncType(params, results)


# Callback functions: ``(ctx i32) (event i32) (payload i32) -> (code i32)``, or the older ``(event) -> (code)``.
_CALLBACK_PARAMS = ((_I32, _I32, _I32), (_I32,))


class _Options:
    """The options of one ``canon``, checked for repeats and conflicts."""

    def __init__(self, scope: Scope, options: CanonicalOptions, offset: int | None) -> None:
        self.memory: Any = None
        self.realloc: Any = None
        self.post_return: Any = None
        self.is_async = False
        self.callback: Any = None
        seen: dict[str, str] = {}
        for option in options.items:
            name = option.name
            if name in _ENCODING_NAMES:
                encoding = _ENCODING_NAMES[name]
                previous = seen.get("string-encoding")
                if previous is not None:
                    raise ValidationError(
                        f"canonical encoding option `{previous}` conflicts with option `{encoding}`", offset
                    )
                seen["string-encoding"] = encoding
                continue
            if name in seen:
                if name == "memory":
                    raise ValidationError("`memory` is specified more than once", offset)
                raise ValidationError(f"canonical option `{name}` is specified more than once", offset)
            seen[name] = name
            if name == "memory":
                self.memory = scope.get(Sort.CORE_MEMORY, option.index or 0, offset)
            elif name == "realloc":
                self.realloc = scope.get(Sort.CORE_FUNC, option.index or 0, offset)
            elif name == "post-return":
                self.post_return = scope.get(Sort.CORE_FUNC, option.index or 0, offset)
            elif name == "async":
                self.is_async = True
            elif name == "callback":
                self.callback = scope.get(Sort.CORE_FUNC, option.index or 0, offset)
        if self.memory is not None and self.memory.shared:
            raise ValidationError(
                "canonical option `memory` is a shared memory: mismatch in the shared flag for memories", offset
            )
        self.ptr64 = self.memory is not None and self.memory.limits.address64
        if self.ptr64 and not scope.memory64:
            raise ValidationError("64-bit memories require the `cm64` feature to be enabled", offset)
        if self.realloc is not None:
            if self.memory is None:
                raise ValidationError("canonical option `realloc` requires `memory` to also be specified", offset)
            expected = REALLOC_TYPE_64 if self.ptr64 else REALLOC_TYPE
            if self.realloc is not ANY_CORE_FUNC and self.realloc != expected:
                raise ValidationError(
                    "canonical option `realloc` uses a core function with an incorrect signature", offset
                )

    def check_async(self, func_type: FuncType, offset: int | None) -> None:
        """``async`` only with an async function type; ``callback`` only with ``async``."""
        if self.is_async and not func_type.is_async:
            raise ValidationError("the `async` canonical option requires an async function type", offset)
        if self.callback is not None and not self.is_async:
            raise ValidationError("cannot specify callback without async", offset)
        callback = self.callback
        if callback is not None and callback is not ANY_CORE_FUNC:
            if callback.params not in _CALLBACK_PARAMS or callback.results != (_I32,):
                raise ValidationError(
                    "canonical option `callback` uses a core function with an incorrect signature", offset
                )

    def require(self, memory: bool, realloc: bool, offset: int | None) -> None:
        if memory and self.memory is None:
            raise ValidationError("canonical option `memory` is required", offset)
        if realloc and self.realloc is None:
            raise ValidationError("canonical option `realloc` is required", offset)


def _has_lists(value: Any, seen: set[int] | None = None) -> bool:
    """Whether a value type holds a string or a (variable-length) list: memory is needed to pass it."""
    seen = set() if seen is None else seen
    stack = [value]
    while stack:
        item = stack.pop()
        if item is Primitive.STRING or isinstance(item, MapType):
            return True
        if isinstance(item, ListType) and item.length is None:
            return True
        if id(item) not in seen:
            seen.add(id(item))
            stack.extend(children(item))
    return False


def _types_text(types: tuple[ValType, ...]) -> str:
    return "[" + ", ".join(str(t).upper() for t in types) + "]"


def _signature(func_type: FuncType, context: str, options: _Options) -> Any:
    try:
        return flatten_functype(
            func_type,
            "lift" if context == "lift" else "lower",
            options.ptr64,
            options.is_async,
            options.callback is not None,
        )
    except UnsupportedInstruction:
        return None  # (a type of a later proposal: its signature is not checked)


def _check_core(core: Any, signature: Any, index: int, offset: int | None) -> None:
    if signature is None or core is ANY_CORE_FUNC:
        return
    if core.params != signature.params:
        raise ValidationError(
            f"lowered parameter types `{_types_text(signature.params)}` do not match parameter types "
            f"`{_types_text(core.params)}` of core function {index}",
            offset,
        )
    if core.results != signature.results:
        raise ValidationError(
            f"lowered result types `{_types_text(signature.results)}` do not match result types "
            f"`{_types_text(core.results)}` of core function {index}",
            offset,
        )


def lift(scope: Scope, definition: Lift) -> FuncType:
    offset = definition.offset
    core = scope.get(Sort.CORE_FUNC, definition.core_func, offset)
    func_type = scope.get(Sort.TYPE, definition.type, offset)
    if not isinstance(func_type, FuncType):
        raise ValidationError(f"type index {definition.type} is not a function type", offset)
    options = _Options(scope, definition.options, offset)
    options.check_async(func_type, offset)
    params = tuple(param for _name, param in func_type.params)
    signature = _signature(func_type, "lift", options)
    params_in_memory = bool(signature and signature.params_in_memory)
    results_in_memory = bool(signature and signature.results_in_memory)
    lists_in = any(_has_lists(param) for param in params)
    # (an async lift's result goes through ``task.return``, whose own options lift it)
    lists_out = not options.is_async and func_type.result is not None and _has_lists(func_type.result)
    if options.is_async and options.post_return is not None:
        raise ValidationError("cannot specify post-return function in async", offset)
    options.require(
        lists_in or lists_out or params_in_memory or results_in_memory, lists_in or params_in_memory, offset
    )
    _check_core(core, signature, definition.core_func, offset)
    if options.post_return is not None and options.post_return is not ANY_CORE_FUNC and core is not ANY_CORE_FUNC:
        if options.post_return != CoreFuncType(core.results, ()):
            raise ValidationError(
                "canonical option `post-return` uses a core function with an incorrect signature", offset
            )
    return func_type


def lower(scope: Scope, definition: Lower) -> Any:
    offset = definition.offset
    func_type = scope.get(Sort.FUNC, definition.func, offset)
    options = _Options(scope, definition.options, offset)
    if options.post_return is not None:
        raise ValidationError("canonical option `post-return` cannot be specified for lowerings", offset)
    if options.callback is not None:
        raise ValidationError("canonical option `callback` cannot be specified for lowerings", offset)
    options.check_async(func_type, offset)
    signature = _signature(func_type, "lower", options)
    params = tuple(param for _name, param in func_type.params)
    lists_in = any(_has_lists(param) for param in params)
    lists_out = func_type.result is not None and _has_lists(func_type.result)
    in_memory = signature is not None and (signature.params_in_memory or signature.results_in_memory)
    options.require(lists_in or lists_out or in_memory, lists_out, offset)
    if signature is None:
        return ANY_CORE_FUNC
    return signature.core_type


def canonical_function(scope: Scope, definition: CanonicalFunction) -> None:
    """Add what a ``canon`` definition makes to its index space."""
    if isinstance(definition, Lift):
        scope.add(Sort.FUNC, lift(scope, definition))
        return
    if isinstance(definition, Lower):
        scope.add(Sort.CORE_FUNC, lower(scope, definition))
        return
    offset = definition.offset
    if isinstance(definition, ResourceNew | ResourceRep | ResourceDrop):
        resource = resource_at(scope, definition.resource, offset)
        if isinstance(definition, ResourceDrop):
            scope.add(Sort.CORE_FUNC, _core((_I32,), ()))
            return
        if not _is_local(scope, resource):
            raise ValidationError(f"type index {definition.resource} is not a local resource", offset)
        representation = scope.resource_representations.get(id(canonical(resource)), _I32)
        if isinstance(definition, ResourceNew):
            scope.add(Sort.CORE_FUNC, _core((representation,), (_I32,)))
        else:
            scope.add(Sort.CORE_FUNC, _core((_I32,), (representation,)))
        return
    scope.add(Sort.CORE_FUNC, _builtin_type(scope, definition))


def _is_local(scope: Scope, resource: ResourceType) -> bool:
    return id(canonical(resource)) in scope.defined_resources


def _builtin_type(scope: Scope, definition: CanonicalBuiltin) -> Any:
    name, offset = definition.name, definition.offset
    known = builtin_core_type(name, _builtin_ptr64(scope, definition))
    if known is not None:
        return known
    if name in ("context.get", "context.set"):
        slot_type = context_slot_type(definition.immediate("valtype"))
        index = definition.immediate("index") or 0
        if index > 1:
            raise ValidationError(f"`{name}` immediate must be zero or one: {index}", offset)
        if scope.context_type is not None and scope.context_type is not slot_type:
            raise ValidationError("type must match previous context type", offset)
        scope.context_type = slot_type
        return context_core_type(name, slot_type)
    if name == "task.return":
        return _task_return_type(scope, definition)
    return ANY_CORE_FUNC  # (thread.new-indirect and the shared-everything built-ins: not checked)


def _builtin_ptr64(scope: Scope, definition: CanonicalBuiltin) -> bool:
    """Whether a built-in's pointers are i64: its memory (an immediate, or the ``memory`` option) is 64-bit."""
    index = definition.immediate("memory")
    if index is None and definition.options is not None:
        index = definition.options.memory
    if index is None:
        return False
    memory = scope.get(Sort.CORE_MEMORY, index, definition.offset)
    return bool(memory is not None and memory is not ANY_CORE_FUNC and memory.limits.address64)


def _task_return_type(scope: Scope, definition: CanonicalBuiltin) -> Any:
    """``task.return``: its core function takes the result as a lowering's parameters would be."""
    offset = definition.offset
    options = _Options(scope, definition.options or CanonicalOptions(), offset)
    if options.realloc is not None:
        raise ValidationError("cannot specify `realloc` option on `task.return`", offset)
    if options.post_return is not None:
        raise ValidationError("cannot specify `post-return` option on `task.return`", offset)
    if options.is_async or options.callback is not None:
        raise ValidationError("cannot specify `async` option on `task.return`", offset)
    result = definition.immediate("result")
    if result is not None:
        result = value_type(scope, result, offset)
    try:
        signature: Any = task_return_signature(result, options.ptr64)
    except UnsupportedInstruction:
        signature = None  # (a type of a later proposal: its signature is not checked)
    lists = result is not None and _has_lists(result)
    options.require(lists or bool(signature and signature.params_in_memory), False, offset)
    return ANY_CORE_FUNC if signature is None else signature.core_type
