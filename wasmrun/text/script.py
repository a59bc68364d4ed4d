"""The commands of a WAST script, as parsed by :func:`wasmrun.text.wast.parse_script`.

Values are in the engine's canonical form: integers as unsigned ints, floats as
their raw IEEE-754 bits (so NaN payloads survive), v128 as a 128-bit unsigned
int, references as ``None`` (null) or an int (``ref.extern N``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from wasmrun.types import ValType, ValueType


@dataclass(frozen=True, slots=True)
class ModuleSource:
    """A module as written in a script: ``(module ...)``, ``binary`` or ``quote``.

    ``text`` is the WAT source of a text module (the whole ``(module ...)`` form)
    or the concatenated strings of a ``quote`` module; ``binary`` the bytes of a
    ``binary`` module.  Encoding is deferred to :meth:`to_binary` so that a
    malformed module fails where the script asserts it does.
    """

    kind: Literal["text", "binary", "quote"]
    name: str | None
    line: int
    text: str | None = None
    binary: bytes | None = None
    component: bool = False  # ``(component ...)``: a component, encoded by :mod:`wasmrun.component.text`

    def to_binary(self) -> bytes:
        """The module's bytes; raises :class:`~wasmrun.errors.TextSyntaxError`."""
        if self.kind == "binary":
            assert self.binary is not None
            return self.binary
        if self.component:
            from wasmrun.component.text import encode_component_text

            assert self.text is not None
            # A quoted component's text is its definitions.
            return encode_component_text(self.text, definitions=self.kind == "quote")
        from wasmrun.text.wat import parse_module

        assert self.text is not None
        # A quoted text is a module's fields or a whole ``(module ...)``; parse_module takes both.
        return parse_module(self.text)


@dataclass(frozen=True, slots=True)
class Value:
    """An argument or a concrete expected result."""

    type: ValueType
    bits: int | None  # None: a null reference


@dataclass(frozen=True, slots=True)
class NanPattern:
    """``nan:canonical`` or ``nan:arithmetic`` for an f32/f64 result."""

    type: ValType
    kind: Literal["canonical", "arithmetic"]


@dataclass(frozen=True, slots=True)
class V128Pattern:
    """A v128 result written per lane, where a float lane may be a NaN pattern."""

    shape: str  # "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"
    lanes: tuple[int | NanPattern, ...]  # lane bits, or a NaN pattern


@dataclass(frozen=True, slots=True)
class RefPattern:
    """``(ref.func)`` or ``(ref.extern)`` with no value: any non-null reference of that type; ``(ref.null)``
    (``null``): any null reference."""

    type: ValueType
    null: bool = False


@dataclass(frozen=True, slots=True)
class NullPattern:
    """``(ref.null)`` with no heap type: a null reference of any type."""


@dataclass(frozen=True, slots=True)
class Either:
    """``(either result*)``: any one of the alternatives matches."""

    alternatives: tuple[Value | NanPattern | V128Pattern | RefPattern | NullPattern, ...]


Expected = Value | NanPattern | V128Pattern | RefPattern | NullPattern | Either


@dataclass(frozen=True, slots=True)
class ComponentValue:
    """A component value of a script: ``(u32.const 1)``, ``(str.const "x")``, ``(list.const ...)`` ...

    ``kind`` is the word before ``.const`` (``bool``, ``s8`` ... ``u64``, ``f32``, ``f64``, ``char``,
    ``str``, ``list``, ``tuple``, ``record``, ``variant``, ``enum``, ``flags``), or ``option`` or ``result``
    (``option.none``/``option.some``, ``result.ok``/``result.err``).  ``value`` is:

    * a ``bool``, ``int``, ``float`` (f32 and f64; ``f32_bits`` keeps the exact bits) or ``str`` (char,
      str, enum) for the scalar kinds;
    * a tuple of ComponentValue for list and tuple; of (field name, ComponentValue) for record; of
      names for flags;
    * (case name, ComponentValue or None) for variant; None or the ComponentValue for option;
      (``"ok"`` or ``"err"``, ComponentValue or None) for result.

    :meth:`to_python` gives the Python value :mod:`wasmrun.component.types` describes.
    """

    kind: str
    value: Any
    bits: int | None = None  # f32, f64: the IEEE-754 bits as written (NaN payloads)

    def to_python(self) -> Any:
        from wasmrun.component.types import Err, Ok, Some, Variant

        kind, value = self.kind, self.value
        if kind in ("list",):
            return [item.to_python() for item in value]
        if kind == "tuple":
            return tuple(item.to_python() for item in value)
        if kind == "record":
            return {field: item.to_python() for field, item in value}
        if kind == "flags":
            return frozenset(value)
        if kind == "variant":
            case, payload = value
            return Variant(case, None if payload is None else payload.to_python())
        if kind == "option":
            if value is None:
                return None
            inner = value.to_python()
            # ``some(none)``, ``some(some(x))``: only Some keeps the levels apart.
            return Some(inner) if value.kind == "option" else inner
        if kind == "result":
            case, payload = value
            wrapper = Ok if case == "ok" else Err
            return wrapper(None if payload is None else payload.to_python())
        return value


@dataclass(frozen=True, slots=True)
class ComponentInvoke:
    """``(invoke $instance? "name" value*)`` on a component instance, with component values."""

    line: int
    module: str | None
    name: str
    args: tuple[ComponentValue, ...]


@dataclass(frozen=True, slots=True)
class Invoke:
    line: int
    module: str | None
    name: str
    args: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Get:
    line: int
    module: str | None
    name: str


Action = Invoke | Get | ComponentInvoke


@dataclass(frozen=True, slots=True)
class ModuleCommand:
    line: int
    module: ModuleSource
    definition: bool = False  # ``(module definition ...)``: decoded and validated, not instantiated


@dataclass(frozen=True, slots=True)
class ModuleDefinition:
    """``(module definition $id? ...)``: a module decoded and validated, instantiated by :class:`ModuleInstance`."""

    line: int
    module: ModuleSource


@dataclass(frozen=True, slots=True)
class ModuleInstance:
    """``(module instance $instance? $definition?)``: a new instance of a defined module (the last one if unnamed)."""

    line: int
    instance: str | None
    definition: str | None
    component: bool = False  # ``(component instance ...)``


@dataclass(frozen=True, slots=True)
class Register:
    line: int
    as_name: str
    module: str | None


@dataclass(frozen=True, slots=True)
class ActionCommand:
    """A bare ``(invoke ...)`` or ``(get ...)`` at top level."""

    line: int
    action: Action


@dataclass(frozen=True, slots=True)
class AssertReturn:
    line: int
    action: Action
    expected: tuple[Expected, ...]


@dataclass(frozen=True, slots=True)
class ComponentAssertReturn:
    """``assert_return`` of an invocation of a component's function: component values expected."""

    line: int
    action: ComponentInvoke
    expected: tuple[ComponentValue, ...]


@dataclass(frozen=True, slots=True)
class AssertTrap:
    """``assert_trap`` around an action, or around a module (``action`` is then a ModuleSource)."""

    line: int
    action: Action | ModuleSource
    message: str


@dataclass(frozen=True, slots=True)
class AssertExhaustion:
    line: int
    action: Action
    message: str


@dataclass(frozen=True, slots=True)
class AssertException:
    """``assert_exception``: the action throws a wasm exception that nothing catches (exception handling)."""

    line: int
    action: Action


@dataclass(frozen=True, slots=True)
class AssertMalformed:
    line: int
    module: ModuleSource
    message: str


@dataclass(frozen=True, slots=True)
class AssertInvalid:
    line: int
    module: ModuleSource
    message: str


@dataclass(frozen=True, slots=True)
class AssertUnlinkable:
    line: int
    module: ModuleSource
    message: str


Command = (
    ModuleCommand
    | ModuleDefinition
    | ModuleInstance
    | Register
    | ActionCommand
    | AssertReturn
    | ComponentAssertReturn
    | AssertTrap
    | AssertExhaustion
    | AssertException
    | AssertMalformed
    | AssertInvalid
    | AssertUnlinkable
)

COMMAND_KINDS: dict[type, str] = {
    ModuleCommand: "module",
    ModuleDefinition: "module_definition",
    ModuleInstance: "module_instance",
    Register: "register",
    AssertReturn: "assert_return",
    ComponentAssertReturn: "assert_return",
    AssertTrap: "assert_trap",
    AssertExhaustion: "assert_exhaustion",
    AssertException: "assert_exception",
    AssertMalformed: "assert_malformed",
    AssertInvalid: "assert_invalid",
    AssertUnlinkable: "assert_unlinkable",
}


def command_kind(command: Command) -> str:
    """The name a command is counted under (``invoke``/``get`` for a bare action)."""
    if isinstance(command, ActionCommand):
        return "invoke" if isinstance(command.action, Invoke) else "get"
    if isinstance(command, ModuleCommand) and command.definition:
        return "module_definition"
    return COMMAND_KINDS[type(command)]


def is_component_command(command: Command) -> bool:
    """Whether a command is about a component (which a core runner skips)."""
    if isinstance(command, ComponentAssertReturn):
        return True
    if isinstance(command, ModuleInstance):
        return command.component
    if isinstance(command, Register):
        return False
    source = getattr(command, "module", None)
    if isinstance(source, ModuleSource):
        return source.component
    action = getattr(command, "action", None)
    if isinstance(action, ModuleSource):
        return action.component
    return isinstance(action, ComponentInvoke)


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed script: its commands, and the ``;;! key = value`` directives at its top (Wasmtime's feature
    switches, e.g. ``("multi_memory", "true")``), in order."""

    commands: list[Command]
    directives: list[tuple[str, str]]
