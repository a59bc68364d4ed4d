"""The component commands of WAST scripts, as ``wasmtime wast`` runs them.

:class:`wasmrun.wast.ScriptRunner` runs a script's component commands (``(component ...)``,
``component definition``/``instance``, and assertions about components) with what is here:

* :func:`script_settings`: the features a script runs with.  Wasmtime's harness reads ``;;! key =
  value`` directives at the top of a script (``;;! multi_memory = true``); wasm-tools' reads the ``-f``
  features of its ``;; RUN:`` line (``-f cm64``); both are honoured here, over the runner's features.
  A directive for a feature wasmrun does not implement (``gc``, ``component_model_async`` ...) is
  noted: a command that uses it fails with a line naming it (:func:`missing_feature`);
* :func:`load_component`: a component's text or binary encoded, decoded (its core modules too) and
  validated as Wasmtime validates a component (its restrictions on the outermost one included);
* :class:`ComponentLinker`: what a script's components may import: the items Wasmtime's harness
  defines (``host-return-two``, the ``host`` instance with its functions, module and resources), and
  the exported modules and resources of each component instance the script named
  (``(component $c ...)`` then ``(import "c" (instance ...))``), as Wasmtime registers them;
* :func:`invoke` calls an exported function with a script's values; :func:`value_matches` compares a
  result with an expected value (floats by bits, any NaN for a NaN).
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wasmrun.binary.decoder import decode_module
from wasmrun.component.decoder import decode_component
from wasmrun.component.records import Component
from wasmrun.component.types import Err, Ok, ResourceType, Some, Variant
from wasmrun.component.validate import validate_component
from wasmrun.component_runtime.instantiate import Modules, instantiate_component
from wasmrun.component_runtime.items import ComponentInstance
from wasmrun.errors import LinkError, Trap
from wasmrun.features import Features
from wasmrun.module import Module
from wasmrun.runtime.store import Store
from wasmrun.text.script import ComponentValue, ModuleSource
from wasmrun.text.wat import parse_module
from wasmrun.validation import validate_module

# --- features --------------------------------------------------------------------------------------

# ``;;!`` keys naming a core proposal: the Features field each switches.
_CORE_DIRECTIVES = {
    "multi_memory": "multi_memory",
    "memory64": "memory64",
    "exceptions": "exceptions",
    "function_references": "function_references",
    "bulk_memory": "bulk_memory",
    "reference_types": "reference_types",
    "simd": "simd",
    "relaxed_simd": "relaxed_simd",
    "tail_call": "tail_call",
    "extended_const": "extended_const",
    "wide_arithmetic": "wide_arithmetic",
    "custom_page_sizes": "custom_page_sizes",
    "threads": "threads",
    "multi_value": "multi_value",
}

_ASYNC_BEYOND = "the component model's async ABI (beyond calls that complete at once)"

# ``;;!`` keys of features wasmrun does not implement: on, they are named by the commands that fail.
_MISSING_DIRECTIVES = {
    "gc": "the gc proposal",
    "gc_types": "the gc proposal",
    "component_model_async": _ASYNC_BEYOND,
    "component_model_async_builtins": _ASYNC_BEYOND,
    "component_model_async_stackful": _ASYNC_BEYOND,
    "component_model_more_async_builtins": _ASYNC_BEYOND,
    "component_model_threading": "the component model's threads",
    "component_model_error_context": "the component model's error contexts",
    "component_model_gc": "the component model's GC options",
    "component_model_fixed_length_lists": "the component model's fixed-length lists",
    "shared_everything_threads": "the shared-everything threads proposal",
    "stack_switching": "the stack switching proposal",
}

# Harness hints that change nothing here (and features wasmrun always has: maps).
_IGNORED_DIRECTIVES = frozenset(("nan_canonicalization", "component_model_values", "component_model_map"))

HOGS_MEMORY_CAP_BYTES = 16 * 2**30
"""The memory cap of a script saying ``;;! hogs_memory = true`` (Wasmtime's harness hint for a script
whose memories go past 4 GiB, wasmrun's default cap): reserved, not committed, until touched."""

# wasm-tools' ``-f`` feature names (in a ``;; RUN:`` line) for what wasmrun switches.
_RUN_LINE_FEATURES = {"cm64": "memory64", "cm-implements": "implements", "custom-page-sizes": "custom_page_sizes"}
_RUN_LINE = re.compile(r";;\s*RUN:.*")
_RUN_FEATURES = re.compile(r"(?:^|\s)(?:-f\s*|--features[= ])(\S+)")


@dataclass(frozen=True, slots=True)
class ComponentSettings:
    """What a script's components are read with: the core proposals of their modules, 64-bit memories in
    canonical options (``cm64``), ``implements`` names; and the features a directive asked for that
    wasmrun lacks."""

    features: Features
    memory64: bool = False
    implements: bool = True
    missing: tuple[str, ...] = ()
    hogs_memory: bool = False


@dataclass(frozen=True, slots=True)
class ScriptSettings:
    """A script's settings, and the directives it has that wasmrun does not know (each a failure)."""

    components: ComponentSettings
    unknown: tuple[str, ...] = field(default=())

    @property
    def features(self) -> Features:
        return self.components.features


def _truth(value: str) -> bool | None:
    return {"true": True, "false": False, "y": True, "n": False, "yes": True, "no": False}.get(value.lower())


def script_settings(
    text: str, directives: Sequence[tuple[str, str]], features: Features, *, in_memory64_folder: bool = False
) -> ScriptSettings:
    """The settings of a script (``text``, its ``;;!`` ``directives``) run with ``features`` otherwise.

    The component model's 64-bit memories are on for a script in a ``memory64/`` folder (wasm-tools runs
    those with ``-f cm64``), or when a directive or the RUN line says so; ``implements`` is on unless
    turned off.
    """
    switches: dict[str, bool] = {}
    memory64 = in_memory64_folder
    implements = True
    hogs_memory = False
    missing: list[str] = []
    unknown: list[str] = []
    for key, value in directives:
        on = _truth(value)
        if on is None:
            unknown.append(f"{key} = {value}")
        elif key in _CORE_DIRECTIVES:
            switches[_CORE_DIRECTIVES[key]] = on
        elif key == "component_model_memory64":
            memory64 = on
        elif key == "component_model_implements":
            implements = on
        elif key == "hogs_memory":
            hogs_memory = on
        elif key in _MISSING_DIRECTIVES:
            if on and _MISSING_DIRECTIVES[key] not in missing:
                missing.append(_MISSING_DIRECTIVES[key])
        elif key not in _IGNORED_DIRECTIVES and key != "component_model":
            unknown.append(f"{key} = {value}")
    run_line = _RUN_LINE.search(text[:400])
    if run_line is not None:
        for group in _RUN_FEATURES.findall(run_line.group(0)):
            for name in group.split(","):
                enabled = not name.startswith("-")
                name = name.lstrip("+-")
                target = _RUN_LINE_FEATURES.get(name)
                if target == "memory64":
                    memory64 = enabled
                elif target == "implements":
                    implements = enabled
                elif target is not None:
                    switches[target] = enabled
                elif name in ("exceptions", "multi-memory", "memory64", "simd", "threads"):
                    switches[name.replace("-", "_")] = enabled
    settings = ComponentSettings(features._replace(**switches), memory64, implements, tuple(missing), hogs_memory)
    return ScriptSettings(settings, tuple(unknown))


def missing_feature(settings: ComponentSettings, message: str) -> str:
    """``message``, with the features the script asked for that wasmrun lacks (they may be why)."""
    if not settings.missing:
        return message
    return f"{message} (the script asks for {', '.join(settings.missing)}, which wasmrun does not implement)"


# --- components ------------------------------------------------------------------------------------


def load_component(source: ModuleSource, settings: ComponentSettings) -> Component:
    """Encode (if text), decode and validate a script's component, as Wasmtime reads one.

    Raises TextSyntaxError, DecodeError (a malformed component or core module) or ValidationError.
    """
    component = decode_component(source.to_binary(), decode_modules=True)
    validate_component(
        component,
        settings.features,
        memory64=settings.memory64,
        implements=settings.implements,
        wasmtime_restrictions=True,
    )
    return component


class ComponentLinker:
    """The items a script's components may import, by name (see the module docstring).

    :meth:`instantiate` takes the store the instance gets (the engine makes one per instance, as Wasmtime does).
    """

    def __init__(self, features: Features) -> None:
        self.features = features
        self.items: dict[str, Any] = dict(_host_items(features))
        # Each component's core modules, decoded once for all its instances (the component is kept, so
        # that its id is not reused).
        self._modules: dict[int, tuple[Component, Modules]] = {}

    def instantiate(self, component: Component, store: Store) -> ComponentInstance:
        entry = self._modules.get(id(component))
        if entry is None or entry[0] is not component:
            entry = self._modules[id(component)] = (component, Modules(self.features))
        return instantiate_component(component, store, self.items, features=self.features, modules=entry[1])

    def define_instance(self, name: str, instance: ComponentInstance) -> None:
        """Make the modules and resource types ``instance`` exports importable as the instance ``name``."""
        exports = {
            export: item for export, item in instance.exports.items() if isinstance(item, (Module, ResourceType))
        }
        self.items[name] = exports


def invoke_component(instance: ComponentInstance, name: str, args: Sequence[ComponentValue]) -> tuple[Any, ...]:
    """Call ``instance``'s exported function ``name`` with ``args``: its results (none or one)."""
    function = instance.function(name)
    if function is None:
        raise LinkError(f"no func named `{name}` found")
    params = function.func_type.params
    if len(args) != len(params):
        raise LinkError(f"expected {len(params)} arguments, got {len(args)}")
    result = function(*(arg.to_python() for arg in args))
    return () if function.func_type.result is None else (result,)


# --- the host items of Wasmtime's harness ------------------------------------------------------------

_SIMPLE_MODULE = """(module
  (global (export "g") i32 i32.const 100)
  (func (export "f") (result i32) i32.const 101))"""


class _HostResources:
    """The state behind the ``host`` instance's ``resource1``: how many were dropped, and the last one."""

    def __init__(self) -> None:
        self.drops = 0
        self.last_drop = 0

    def dropped(self, rep: Any) -> None:
        self.drops += 1
        self.last_drop = rep


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise Trap(f"host assertion failed: {what}")


def _host_items(features: Features) -> dict[str, Any]:
    """Wasmtime's ``link_component_spectest``: ``host-return-two`` and the ``host`` instance."""
    state = _HostResources()
    resource1 = ResourceType("resource1", state.dropped, host=True)
    resource2 = ResourceType("resource2", lambda rep: None, host=True)
    module: Module = decode_module(parse_module(_SIMPLE_MODULE))
    validate_module(module, features)

    def check_rep(resource: Any, rep: int) -> None:
        _check(resource == rep, f"resource representation {resource!r} is not {rep}")

    host: dict[str, Any] = {
        "return-three": lambda: 3,
        "nested": {"return-four": lambda: 4},
        "simple-module": module,
        "resource1": resource1,
        "resource2": resource2,
        "resource1-again": resource1,
        "[constructor]resource1": lambda rep: rep,
        "[static]resource1.assert": check_rep,
        "[static]resource1.last-drop": lambda: state.last_drop,
        "[static]resource1.drops": lambda: state.drops,
        "[method]resource1.simple": check_rep,
        "[method]resource1.take-borrow": lambda a, b: None,
        "[method]resource1.take-own": lambda a, b: None,
        "return-two-slowly": lambda: 2,
        "echo-slowly": lambda value: value,
        "return-hi": lambda: "hi",
    }
    # Plain callables: an import's declared type is the function's (Wasmtime checks types, not names).
    return {"host-return-two": lambda: 2, "host-echo-u32": lambda value: value, "host": host}


# --- comparing results -----------------------------------------------------------------------------

WASM_TRAP = "wasm trap: "
"""How Wasmtime shows a trap (its ``Display``), which the component scripts' texts include."""


def trap_matches(expected: str, message: str) -> bool:
    """Whether a component script's trap text ``expected`` names the trap ``message``, as Wasmtime's harness
    decides: the text shown as Wasmtime shows a trap (``wasm trap: ...``) contains it, or both speak of
    a ``cannot read`` or ``cannot write`` (the upstream scripts word those differently)."""
    if expected in WASM_TRAP + message:
        return True
    return any(words in expected and words in message for words in ("cannot read", "cannot write"))


# --- comparing values ------------------------------------------------------------------------------


def _f32_bits(value: float) -> int:
    return int(struct.unpack("<I", struct.pack("<f", value))[0])


def _f64_bits(value: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", value))[0])


def value_matches(expected: ComponentValue, actual: Any) -> bool:
    """Whether ``actual`` (a Python value of :mod:`wasmrun.component.types`) is the value ``expected``.

    Floats compare by bits, but any NaN matches a NaN (the canonical ABI does not keep NaN payloads).
    """
    kind, value = expected.kind, expected.value
    if kind == "bool":
        return isinstance(actual, bool) and actual == value
    if kind[0] in "su" and kind[1:].isdigit():
        return isinstance(actual, int) and not isinstance(actual, bool) and actual == value
    if kind in ("f32", "f64"):
        if not isinstance(actual, float):
            return False
        if math.isnan(value):
            return math.isnan(actual)
        if kind == "f32":
            return _f32_bits(actual) == _f32_bits(value)
        return _f64_bits(actual) == _f64_bits(value)
    if kind in ("char", "str", "enum"):
        return isinstance(actual, str) and actual == value
    if kind == "list":
        if isinstance(actual, (bytes, bytearray)):
            actual = list(actual)
        return (
            isinstance(actual, list)
            and len(actual) == len(value)
            and all(value_matches(item, got) for item, got in zip(value, actual))
        )
    if kind == "tuple":
        return (
            isinstance(actual, tuple)
            and len(actual) == len(value)
            and all(value_matches(item, got) for item, got in zip(value, actual))
        )
    if kind == "record":
        return (
            isinstance(actual, Mapping)
            and list(actual) == [name for name, _ in value]
            and all(value_matches(item, actual[name]) for name, item in value)
        )
    if kind == "flags":
        return isinstance(actual, (set, frozenset)) and actual == frozenset(value)
    if kind == "variant":
        case, payload = value
        return isinstance(actual, Variant) and actual.case == case and _payload_matches(payload, actual.value)
    if kind == "option":
        if value is None:
            return actual is None
        if value.kind == "option":
            return isinstance(actual, Some) and value_matches(value, actual.value)
        return actual is not None and value_matches(value, actual)
    if kind == "result":
        case, payload = value
        wrapper = Ok if case == "ok" else Err
        return isinstance(actual, wrapper) and _payload_matches(payload, actual.value)
    raise TypeError(f"not a component value: {expected!r}")


def _payload_matches(expected: ComponentValue | None, actual: Any) -> bool:
    return actual is None if expected is None else value_matches(expected, actual)


def format_component_value(value: ComponentValue) -> str:
    """A script value as the script writes it (``u32.const 1``), for failure lines."""
    kind, inner = value.kind, value.value
    if kind in ("list", "tuple"):
        return f"({kind}.const {' '.join(format_component_value(item) for item in inner)})".replace(" )", ")")
    if kind == "record":
        return (
            "(record.const "
            + " ".join(f'(field "{name}" {format_component_value(item)})' for name, item in inner)
            + ")"
        )
    if kind == "flags":
        return "(flags.const " + " ".join(f'"{name}"' for name in inner) + ")"
    if kind == "variant":
        case, payload = inner
        return f'(variant.const "{case}"' + ("" if payload is None else " " + format_component_value(payload)) + ")"
    if kind == "option":
        return "(option.none)" if inner is None else f"(option.some {format_component_value(inner)})"
    if kind == "result":
        case, payload = inner
        return f"(result.{case}" + ("" if payload is None else " " + format_component_value(payload)) + ")"
    if kind in ("char", "str", "enum"):
        return f'({kind}.const "{inner}")'
    if kind == "bool":
        return f"(bool.const {'true' if inner else 'false'})"
    return f"({kind}.const {inner!r})"


def format_component_results(values: Sequence[Any]) -> str:
    """Results as Python shows them, for failure lines."""
    return "(" + ", ".join(repr(value) for value in values) + ")"
