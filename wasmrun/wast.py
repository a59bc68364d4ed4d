"""Running WAST spec scripts: every command counted once as passed, failed or skipped.

A :class:`ScriptRunner` runs the commands of one script at a time, each by a
method named after its kind.  Module checks (``module``, ``assert_malformed``,
``assert_invalid``) need only the text encoder, the decoder and the validator.
Everything that executes code goes through an :class:`Engine`, created fresh
for each script by the factory given to the runner; without one those commands
are *skipped*, never passed, and so are those whose code the engine refuses
(:class:`UnsupportedInstruction`; the engine of :mod:`wasmrun.wast_engine`
executes all of WebAssembly 2.0, SIMD included).  All comparing of results
against expectations happens here, so an engine only instantiates, invokes and
reads globals.

The stages decide what a failure means, as the spec does:

- *malformed*: the text does not encode (:class:`TextSyntaxError`) or the
  binary does not decode (:class:`DecodeError`, also when the validator finds
  it while decoding a function body);
- *invalid*: the module decodes but :func:`validate_module` rejects it
  (:class:`ValidationError`).

An expected message passes when it is contained in the error's message
(Wasmtime's trap texts contain the spec's; see :mod:`wasmrun.errors`).
"""

from __future__ import annotations

import itertools
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from wasmrun.binary.decoder import decode_module
from wasmrun.component.records import Component, wasm_tools_text
from wasmrun.component_runtime.items import ComponentInstance
from wasmrun.component_wast import (
    HOGS_MEMORY_CAP_BYTES,
    ComponentLinker,
    ComponentSettings,
    format_component_results,
    format_component_value,
    invoke_component,
    load_component,
    missing_feature,
    script_settings,
    trap_matches,
    value_matches,
)
from wasmrun.deftypes import top_heap
from wasmrun.errors import (
    DecodeError,
    LinkError,
    TextSyntaxError,
    Trap,
    UnsupportedInstruction,
    ValidationError,
    WasmError,
    WasmException,
)
from wasmrun.features import ALL_FEATURES, Features
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
    V128Pattern,
    Value,
    command_kind,
)
from wasmrun.text.wast import read_script
from wasmrun.types import (
    HEAP_ANY,
    HEAP_ARRAY,
    HEAP_EQ,
    HEAP_FUNC,
    HEAP_I31,
    HEAP_STRUCT,
    ValType,
    abstract_heap_subtype,
    as_ref,
)
from wasmrun.validation import validate_module

if TYPE_CHECKING:
    from wasmrun.module import Module

KINDS = (
    "module",
    "module_definition",
    "module_instance",
    "register",
    "invoke",
    "get",
    "assert_return",
    "assert_trap",
    "assert_exhaustion",
    "assert_exception",
    "assert_malformed",
    "assert_invalid",
    "assert_unlinkable",
)
"""Every kind a command is counted under (:func:`wasmrun.text.script.command_kind`)."""

SCRIPT_KIND = "script"
"""The kind a script that cannot be read or parsed is counted under (one failure)."""


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one command went; ``expected``/``got`` describe a failure."""

    status: Literal["passed", "failed", "skipped"]
    expected: str = ""
    got: str = ""
    detail: str | None = None  # the traceback of an unexpected exception


PASSED = Outcome("passed")
SKIPPED = Outcome("skipped")


def failed(expected: str, got: str, detail: str | None = None) -> Outcome:
    return Outcome("failed", expected, got, detail)


@dataclass(slots=True)
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.skipped

    def to_json(self) -> dict[str, int]:
        return {"passed": self.passed, "failed": self.failed, "skipped": self.skipped}


@dataclass(frozen=True, slots=True)
class Failure:
    path: str
    line: int | None
    kind: str
    expected: str
    got: str
    detail: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.kind}: expected {self.expected}, got {self.got}"


@dataclass(slots=True)
class ScriptReport:
    """The counts per kind (kinds with no commands absent) and the failures of one script."""

    path: str
    counts: dict[str, Counts] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    def record(self, kind: str, line: int | None, outcome: Outcome) -> None:
        counts = self.counts.setdefault(kind, Counts())
        if outcome.status == "passed":
            counts.passed += 1
        elif outcome.status == "skipped":
            counts.skipped += 1
        else:
            counts.failed += 1
            self.failures.append(Failure(self.path, line, kind, outcome.expected, outcome.got, outcome.detail))

    @property
    def passed(self) -> int:
        return sum(counts.passed for counts in self.counts.values())

    @property
    def failed(self) -> int:
        return sum(counts.failed for counts in self.counts.values())

    @property
    def skipped(self) -> int:
        return sum(counts.skipped for counts in self.counts.values())

    def to_json(self) -> dict[str, dict[str, int]]:
        return {kind: counts.to_json() for kind, counts in sorted(self.counts.items())}


# --- the engine interface --------------------------------------------------------------------


class Engine(Protocol):
    """What the runner needs from an execution engine (one per script).

    The engine owns its store and the names registered with :meth:`register`
    (plus the ``spectest`` module), which it uses to resolve imports.  Failures
    are raised: :class:`~wasmrun.errors.LinkError` for unresolvable imports,
    :class:`~wasmrun.errors.Trap` for traps (call-stack exhaustion included).
    Values are :class:`~wasmrun.text.script.Value` in their canonical form; a
    non-null ``funcref`` result may carry any non-None ``bits``.
    """

    def instantiate(self, module: Module) -> object: ...

    def register(self, name: str, instance: object) -> None: ...

    def invoke(self, instance: object, name: str, args: Sequence[Value]) -> Sequence[Value]: ...

    def get(self, instance: object, name: str) -> Value: ...

    def close(self) -> None:
        """Release the store (memories, tables); called once the script has run."""


EngineFactory = Callable[[], Engine]


class _NoModule(Exception):
    """An action named a module that is not defined (a failure of that command)."""


@dataclass(frozen=True, slots=True)
class _Failed:
    """Where a module that failed to load or instantiate stands: commands that need it fail (are
    skipped, if the engine refused its code)."""

    line: int
    unsupported: bool = False


class _Unsupported(Exception):
    """The engine cannot execute the command's code (it raised UnsupportedInstruction): the command is skipped.

    Not a WasmError, so that no command handler can count it as a failure.
    """


# --- which proposals a script runs with -------------------------------------------------------

WAST_FEATURES = ALL_FEATURES._replace(shared_memory=True)
"""What ``wasmrun wast`` allows by default: every proposal on by default, and shared memories (as ``wasmtime wast``)."""

# A script in a proposal's folder of the testsuite (``proposals/<name>/``) runs with that proposal on
# (custom page sizes is off by default).  The threads proposal's scripts come from its fork of the spec,
# which predates reference types, multiple memories and memory64: they expect "multiple tables",
# "multiple memories" and 2.0's limits, so they run without those.
PROPOSAL_SCRIPT_FEATURES: dict[str, Features] = {
    "custom-page-sizes": WAST_FEATURES._replace(custom_page_sizes=True),
    "threads": WAST_FEATURES.without("reference-types", "multi-memory", "memory64"),
}


def script_features(path: str | Path) -> Features:
    """The proposals the script at ``path`` is written for (see :data:`PROPOSAL_SCRIPT_FEATURES`)."""
    parts = Path(path).parts
    for folder, name in itertools.pairwise(parts):
        if folder == "proposals" and name in PROPOSAL_SCRIPT_FEATURES:
            return PROPOSAL_SCRIPT_FEATURES[name]
    return WAST_FEATURES


COMPONENT_ERROR_KINDS = "either"
"""A component's ``assert_malformed`` and ``assert_invalid`` pass with either kind of error whose message has
the text.  The component scripts come from wasm-tools, whose reader and validator are one pass: they file
an error under either assertion with no regard to the stage that finds it (``invalid leading byte`` is
both), and Wasmtime's harness checks only the text."""


# --- the runner ------------------------------------------------------------------------------


class ScriptRunner:
    """Runs scripts; ``engine_factory`` (if any) makes the engine for each script.

    Modules are validated allowing the proposals of ``features`` (all by default;
    :data:`wasmrun.features.WASM_2_0` for the 2.0 scripts, which expect some later
    modules to be malformed or invalid: a later proposal's constructs are decoded as
    an earlier decoder would), switched by the script's own ``;;!`` directives
    (:func:`wasmrun.component_wast.script_settings`).

    Components run too (:mod:`wasmrun.component_wast`), each instance in a store of its
    own that the engine makes (its ``component_store`` method; an engine without one
    skips their execution as no engine at all does).  What the engine refuses to run
    in a component fails the command, with the reason.
    """

    def __init__(
        self,
        engine_factory: EngineFactory | None = None,
        features: Features = ALL_FEATURES,
        *,
        ignore_messages: bool = False,
    ) -> None:
        self.engine_factory = engine_factory
        self.features = features
        self.ignore_messages = ignore_messages  # Wasmtime's --ignore-error-messages: any error of the right kind passes
        self.engine: Engine | None = None
        self.instances: dict[str, object] = {}
        self.current: object | None = None
        self.definitions: dict[str, Module | Component | _Failed] = {}
        self.last_definition: Module | Component | _Failed | None = None
        self.components = ComponentSettings(features)
        self.linker: ComponentLinker | None = None

    # Scripts.

    def _expect_message(self, expected: str, text: str, error: WasmError) -> Outcome:
        """An error of the expected kind passes if its message contains ``text`` (or whatever it says, when
        messages are ignored)."""
        return PASSED if self.ignore_messages else _expect_message_of(expected, text, error)

    def run_file(self, path: str | Path, display: str | None = None) -> ScriptReport:
        """Read, parse and run the script at ``path``, reported under ``display`` (default: ``path``)."""
        name = str(path) if display is None else display
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            report = ScriptReport(name)
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            report.record(SCRIPT_KIND, None, failed("a readable UTF-8 file", reason))
            return report
        return self.run_text(text, name)

    def run_text(self, text: str, path: str) -> ScriptReport:
        """Parse and run a script given as text; ``path`` names it in the report."""
        try:
            script = read_script(text)
        except TextSyntaxError as error:
            report = ScriptReport(path)
            report.record(SCRIPT_KIND, error.line, failed("a well-formed script", str(error)))
            return report
        settings = script_settings(
            text, script.directives, self.features, in_memory64_folder="memory64" in Path(path).parts[:-1]
        )
        saved = self.features, self.components
        self.features, self.components = settings.features, settings.components
        try:
            report = self.run_commands(script.commands, path)
        finally:
            self.features, self.components = saved
        for directive in settings.unknown:
            report.record(SCRIPT_KIND, None, failed("directives wasmrun knows", f"`;;! {directive}`"))
        return report

    def run_commands(self, commands: Sequence[Command], path: str) -> ScriptReport:
        """Run parsed commands, each counted once under its kind."""
        self.engine = self.engine_factory() if self.engine_factory is not None else None
        self.instances = {}
        self.current = None
        self.definitions, self.last_definition = {}, None
        self.linker = None
        report = ScriptReport(path)
        try:
            for command in commands:
                report.record(command_kind(command), command.line, self.run_command(command))
        finally:
            if self.engine is not None:
                self.engine.close()
            self.engine, self.instances, self.current = None, {}, None
            self.definitions, self.last_definition = {}, None
            self.linker = None
        return report

    def run_command(self, command: Command) -> Outcome:
        """One command's outcome; an unexpected exception is that command's failure, not the script's."""
        try:
            match command:
                case ComponentAssertReturn():
                    return self.component_assert_return(command)
                case ModuleCommand():
                    return self.module(command)
                case ModuleDefinition():
                    return self.module_definition(command)
                case ModuleInstance():
                    return self.module_instance(command)
                case Register():
                    return self.register(command)
                case ActionCommand():
                    return self.action(command)
                case AssertReturn():
                    return self.assert_return(command)
                case AssertTrap():
                    return self.assert_trap(command)
                case AssertExhaustion():
                    return self.assert_exhaustion(command)
                case AssertException():
                    return self.assert_exception(command)
                case AssertMalformed():
                    return self.assert_malformed(command)
                case AssertInvalid():
                    return self.assert_invalid(command)
                case AssertUnlinkable():
                    return self.assert_unlinkable(command)
        except _NoModule as error:
            return failed("a defined module", str(error))
        except _Unsupported:
            # The engine does not execute this code (an instruction it lacks): counted, never passed.
            return SKIPPED
        except Exception as error:
            return failed("no internal error", _internal(error), traceback.format_exc())
        raise TypeError(f"not a script command: {command!r}")

    # Module checks: need no engine.

    def module(self, command: ModuleCommand) -> Outcome:
        """Load and instantiate a module; if either fails, so does every later command that needs it."""
        name = command.module.name
        try:
            try:
                module = self._load(command.module)
            except WasmError:
                self._remember(name, _Failed(command.line))
                raise
            self._remember(name, module)
            if not self._executes(module):
                return PASSED
            instance = self._instantiate(module)
        except WasmError as error:
            self._define(name, _Failed(command.line))
            return failed("the module to load", describe_error(error))
        except _Unsupported:
            self._define(name, _Failed(command.line, unsupported=True))
            raise
        self._define(name, instance)
        return PASSED

    def module_definition(self, command: ModuleDefinition) -> Outcome:
        """Load a module to instantiate later; a failure fails each ``module instance`` of it."""
        try:
            module = self._load(command.module)
        except WasmError as error:
            self._remember(command.module.name, _Failed(command.line))
            return failed("the module to load", describe_error(error))
        self._remember(command.module.name, module)
        return PASSED

    def module_instance(self, command: ModuleInstance) -> Outcome:
        if command.definition is None:
            definition = self.last_definition
            if definition is None:
                raise _NoModule("no module defined yet")
        else:
            try:
                definition = self.definitions[command.definition]
            except KeyError:
                raise _NoModule(f"unknown module {command.definition}") from None
        if isinstance(definition, _Failed):
            self._define(command.instance, _Failed(command.line))
            raise _NoModule(f"the module of line {definition.line} failed")
        if not self._executes(definition):
            return SKIPPED
        try:
            instance = self._instantiate(definition)
        except WasmError as error:
            self._define(command.instance, _Failed(command.line))
            return failed("the module to instantiate", describe_error(error))
        except _Unsupported:
            self._define(command.instance, _Failed(command.line, unsupported=True))
            raise
        self._define(command.instance, instance)
        return PASSED

    def assert_malformed(self, command: AssertMalformed) -> Outcome:
        expected = f'malformed "{command.message}"'
        try:
            self._check(command.module)
        except (TextSyntaxError, DecodeError) as error:
            if isinstance(error, DecodeError) and command.message in wasm_tools_text(error.message):
                return PASSED  # (wasm-tools' words for the same error, which its scripts expect)
            return self._expect_message(expected, command.message, error)
        except ValidationError as error:
            if command.module.component and command.message in error.message:
                return PASSED  # (see COMPONENT_ERROR_KINDS)
            return failed(expected, describe_error(error))
        return failed(expected, "a valid module")

    def assert_invalid(self, command: AssertInvalid) -> Outcome:
        expected = f'invalid "{command.message}"'
        try:
            self._check(command.module)
        except ValidationError as error:
            return self._expect_message(expected, command.message, error)
        except (TextSyntaxError, DecodeError) as error:
            if command.module.component and command.message in error.message:
                return PASSED  # (see COMPONENT_ERROR_KINDS)
            return failed(expected, describe_error(error))
        return failed(expected, "a valid module")

    # Execution: skipped without an engine.

    def register(self, command: Register) -> Outcome:
        if self.engine is None:
            return SKIPPED
        instance = self._instance(command.module)
        if isinstance(instance, ComponentInstance):
            if self.linker is None:
                return SKIPPED
            self.linker.define_instance(command.as_name, instance)
        else:
            self.engine.register(command.as_name, instance)
        return PASSED

    def action(self, command: ActionCommand) -> Outcome:
        if not self._executes(command.action):
            return SKIPPED
        try:
            self._perform(command.action)
        except WasmError as error:
            return failed("no error", describe_error(error))
        return PASSED

    def assert_return(self, command: AssertReturn) -> Outcome:
        if self.engine is None:
            return SKIPPED
        try:
            results = self._perform(command.action)
        except WasmError as error:
            return failed(format_expected(command.expected), describe_error(error))
        if len(results) == len(command.expected) and all(
            matches(expected, actual) for expected, actual in zip(command.expected, results)
        ):
            return PASSED
        return failed(format_expected(command.expected), format_results(results))

    def assert_trap(self, command: AssertTrap) -> Outcome:
        if not self._executes(command.action):
            return SKIPPED
        expected = f'trap "{command.message}"'
        try:
            if isinstance(command.action, ModuleSource):
                instance = self._instantiate(self._load(command.action))
                got = "an instance"
                # A module that instantiates is defined, as in the reference interpreter.
                self._define(command.action.name, instance)
            elif isinstance(command.action, ComponentInvoke):
                got = "returned " + format_component_results(self._invoke_component(command.action))
            else:
                got = "returned " + format_results(self._perform(command.action))
        except Trap as error:
            if _is_component(command.action) and trap_matches(command.message, error.message):
                return PASSED
            return self._expect_message(expected, command.message, error)
        except WasmError as error:
            return failed(expected, describe_error(error))
        return failed(expected, got)

    def component_assert_return(self, command: ComponentAssertReturn) -> Outcome:
        """``assert_return`` of a component function: its results compared with the script's values."""
        if not self._executes(command.action):
            return SKIPPED
        wanted = "(" + ", ".join(format_component_value(value) for value in command.expected) + ")"
        try:
            results = self._invoke_component(command.action)
        except WasmError as error:
            return failed(wanted, describe_error(error))
        if len(results) == len(command.expected) and all(
            value_matches(expected, actual) for expected, actual in zip(command.expected, results)
        ):
            return PASSED
        return failed(wanted, format_component_results(results))

    def assert_exhaustion(self, command: AssertExhaustion) -> Outcome:
        if self.engine is None:
            return SKIPPED
        expected = f'exhaustion "{command.message}"'
        try:
            results = self._perform(command.action)
        except Trap as error:
            return self._expect_message(expected, command.message, error)
        except WasmError as error:
            return failed(expected, describe_error(error))
        return failed(expected, "returned " + format_results(results))

    def assert_exception(self, command: AssertException) -> Outcome:
        if self.engine is None:
            return SKIPPED
        expected = "an uncaught exception"
        try:
            results = self._perform(command.action)
        except WasmException:
            return PASSED
        except WasmError as error:
            return failed(expected, describe_error(error))
        return failed(expected, "returned " + format_results(results))

    def assert_unlinkable(self, command: AssertUnlinkable) -> Outcome:
        if not self._executes(command.module):
            return SKIPPED
        expected = f'unlinkable "{command.message}"'
        try:
            self._instantiate(self._load(command.module))
        except LinkError as error:
            return self._expect_message(expected, command.message, error)
        except WasmError as error:
            return failed(expected, describe_error(error))
        return failed(expected, "an instance")

    # Helpers.

    def _define(self, name: str | None, instance: object) -> None:
        """Make ``instance`` (or the failure in its place) the current module, and ``name``'s."""
        self.current = instance
        if name is not None:
            self.instances[name] = instance
            if isinstance(instance, ComponentInstance) and self.linker is not None:
                # As Wasmtime's harness: a named component instance's modules and resources are importable.
                self.linker.define_instance(name.removeprefix("$"), instance)

    def _remember(self, name: str | None, module: Module | Component | _Failed) -> None:
        """Keep a loaded module (or the failure in its place) for ``module instance``."""
        self.last_definition = module
        if name is not None:
            self.definitions[name] = module

    def _instance(self, name: str | None) -> object:
        if name is None:
            if self.current is None:
                raise _NoModule("no module defined yet")
            instance = self.current
        else:
            try:
                instance = self.instances[name]
            except KeyError:
                raise _NoModule(f"unknown module {name}") from None
        if isinstance(instance, _Failed):
            if instance.unsupported:
                raise _Unsupported(f"the module of line {instance.line} was not executed")
            raise _NoModule(f"the module of line {instance.line} failed")
        return instance

    def _load(self, source: ModuleSource) -> Module | Component:
        """A script's module or component, encoded, decoded and validated."""
        if source.component:
            return load_component(source, self.components)
        return load(source, self.features)

    def _check(self, source: ModuleSource) -> None:
        """Encode, decode and validate a module or component, as ``assert_malformed``/``assert_invalid`` do."""
        if source.component:
            load_component(source, self.components)
            return
        _validate(_decode(source.to_binary(), self.features), self.features)

    def _executes(self, subject: object) -> bool:
        """Whether the engine can run ``subject`` (a module, component, their source or an action); for
        a component, the script's component linker is made on first use."""
        if self.engine is None:
            return False
        if isinstance(subject, ModuleSource):
            component = subject.component
        else:
            component = isinstance(subject, (Component, ComponentInvoke))
        if not component:
            return True
        if self.linker is None:
            if getattr(self.engine, "component_store", None) is None:
                return False
            self.linker = ComponentLinker(self.features)
        return True

    def _instantiate(self, module: Module | Component) -> object:
        if self.engine is None:
            raise RuntimeError("no engine")  # callers check first; a bug if reached
        if isinstance(module, Component):
            return self._instantiate_component(module)
        try:
            return self.engine.instantiate(module)
        except UnsupportedInstruction as error:
            raise _Unsupported(str(error)) from None

    def _instantiate_component(self, component: Component) -> ComponentInstance:
        if self.linker is None or self.engine is None:
            raise RuntimeError("no component linker")  # callers check first (_executes); a bug if reached
        cap = HOGS_MEMORY_CAP_BYTES if self.components.hogs_memory else None
        store = self.engine.component_store(cap)  # type: ignore[attr-defined]
        try:
            return self.linker.instantiate(component, store)
        except UnsupportedInstruction as error:
            # Not skipped: a component script is run whole, and what wasmrun cannot run fails.
            raise UnsupportedInstruction(missing_feature(self.components, error.message)) from None

    def _invoke_component(self, action: ComponentInvoke) -> tuple[Any, ...]:
        instance = self._instance(action.module)
        if not isinstance(instance, ComponentInstance):
            raise LinkError(f"no func named `{action.name}` found: not a component instance")
        try:
            return invoke_component(instance, action.name, action.args)
        except UnsupportedInstruction as error:
            raise UnsupportedInstruction(missing_feature(self.components, error.message)) from None

    def _perform(self, action: Action) -> Sequence[Value]:
        engine = self.engine
        if engine is None:
            raise RuntimeError("no engine")  # callers check first; a bug if reached
        if isinstance(action, ComponentInvoke):
            return self._invoke_component(action)  # (Python values, not core ones)
        instance = self._instance(action.module)
        try:
            if isinstance(action, Invoke):
                return engine.invoke(instance, action.name, action.args)
            if isinstance(action, Get):
                return (engine.get(instance, action.name),)
        except UnsupportedInstruction as error:
            raise _Unsupported(str(error)) from None
        raise TypeError(f"not an action: {action!r}")


# --- stages ----------------------------------------------------------------------------------


# The stages, named here so that a test can replace one.
def _decode(binary: bytes, features: Features = ALL_FEATURES) -> Module:
    return decode_module(binary, disabled=features.disabled, validating=True)  # (validated next: see load)


def _validate(module: Module, features: Features = ALL_FEATURES) -> None:
    validate_module(module, features, as_version=True)


def load(source: ModuleSource, features: Features = ALL_FEATURES) -> Module:
    """Encode (if text), decode and validate a script's module."""
    module = _decode(source.to_binary(), features)
    _validate(module, features)
    return module


def _is_component(subject: object) -> bool:
    return isinstance(subject, ComponentInvoke) or (isinstance(subject, ModuleSource) and subject.component)


def _expect_message_of(expected: str, text: str, error: WasmError) -> Outcome:
    if text in error.message:
        return PASSED
    return failed(expected, describe_error(error))


def describe_error(error: WasmError) -> str:
    """``malformed "..."``, ``invalid "..."``, ``trap "..."``: how an error shows in a failure line."""
    if isinstance(error, TextSyntaxError | DecodeError):
        label = "malformed"
    elif isinstance(error, ValidationError):
        label = "invalid"
    elif isinstance(error, LinkError):
        label = "unlinkable"
    elif isinstance(error, Trap):
        label = "trap"
    else:
        label = type(error).__name__
    return f'{label} "{error.message}"'


def _internal(error: Exception) -> str:
    return f"internal error {type(error).__name__}: {error}"


# --- comparing results -----------------------------------------------------------------------

_FLOAT_WIDTH = {ValType.F32: 32, ValType.F64: 64}
_LANES = {"i8x16": (8, 16), "i16x8": (16, 8), "i32x4": (32, 4), "i64x2": (64, 2), "f32x4": (32, 4), "f64x2": (64, 2)}


def is_nan_of_kind(bits: int, width: int, kind: Literal["canonical", "arithmetic"]) -> bool:
    """Whether float ``bits`` (32 or 64 wide) are a canonical NaN (either sign) or an arithmetic NaN.

    Canonical: exponent all ones, payload exactly the quiet bit.  Arithmetic:
    exponent all ones and the quiet bit set (any payload beneath it).
    """
    mantissa_bits = 23 if width == 32 else 52
    quiet_nan = ((1 << (width - mantissa_bits - 1)) - 1) << mantissa_bits | 1 << (mantissa_bits - 1)
    if kind == "canonical":
        return bits & ((1 << (width - 1)) - 1) == quiet_nan
    return bits & quiet_nan == quiet_nan


def matches(expected: Expected, actual: Value) -> bool:
    """Whether a result matches an expectation (floats compare by bits; NaN patterns by kind)."""
    if isinstance(expected, Value):
        if expected.type.is_reference:
            return _reference_family(actual.type) == _reference_family(expected.type) and actual.bits == expected.bits
        return actual.type == expected.type and actual.bits == expected.bits
    if isinstance(expected, NanPattern):
        return (
            actual.type == expected.type
            and actual.bits is not None
            and is_nan_of_kind(actual.bits, _FLOAT_WIDTH[expected.type], expected.kind)
        )
    if isinstance(expected, RefPattern):
        if expected.null:
            return actual.type.is_reference and actual.bits is None
        wanted = as_ref(expected.type)
        if wanted is not None and wanted.heap in _GC_KINDS:  # (ref.struct), (ref.i31), (ref.eq) ...
            found = as_ref(actual.type)
            return (
                found is not None
                and actual.bits is not None
                and found.heap.__class__ is int
                and abstract_heap_subtype(found.heap, wanted.heap)
            )
        return _reference_family(actual.type) == _reference_family(expected.type) and actual.bits is not None
    if isinstance(expected, NullPattern):
        return actual.type.is_reference and actual.bits is None
    if isinstance(expected, Either):
        return any(matches(alternative, actual) for alternative in expected.alternatives)
    if isinstance(expected, V128Pattern):
        if actual.type != ValType.V128 or actual.bits is None:
            return False
        width, count = _LANES[expected.shape]
        mask = (1 << width) - 1
        if len(expected.lanes) != count:
            return False
        for index, lane in enumerate(expected.lanes):
            bits = actual.bits >> (index * width) & mask
            if isinstance(lane, NanPattern):
                if not is_nan_of_kind(bits, width, lane.kind):
                    return False
            elif bits != lane & mask:
                return False
        return True
    raise TypeError(f"not an expected result: {expected!r}")


_GC_KINDS = frozenset((HEAP_ANY, HEAP_EQ, HEAP_I31, HEAP_STRUCT, HEAP_ARRAY))


def _reference_family(valtype: Any) -> int | None:
    """The top of a reference type's hierarchy: ``HEAP_EXTERN``, ``HEAP_FUNC``, ``HEAP_EXN`` or ``HEAP_ANY``
    (a type index, unresolved here, counts as a function type's)."""
    reference = as_ref(valtype)
    if reference is None:
        return None
    if reference.heap.__class__ is int and reference.heap >= 0:
        return HEAP_FUNC
    return top_heap(reference.heap)


def format_value(value: Value) -> str:
    if value.type.is_reference:
        return f"{value.type.text}:null" if value.bits is None else f"{value.type.text}:{value.bits}"
    if value.bits is None:
        return f"{value.type.text}:?"
    if value.type == ValType.V128:
        return f"v128:0x{value.bits:032x}"
    width = 8 if value.type in (ValType.I32, ValType.F32) else 16
    return f"{value.type.text}:0x{value.bits:0{width}x}"


def format_expectation(expected: Expected) -> str:
    if isinstance(expected, Value):
        return format_value(expected)
    if isinstance(expected, NanPattern):
        return f"{expected.type.text}:nan:{expected.kind}"
    if isinstance(expected, RefPattern):
        return "ref:null" if expected.null else f"{expected.type.text}:non-null"
    if isinstance(expected, NullPattern):
        return "ref:null"
    if isinstance(expected, Either):
        return "either(" + " | ".join(format_expectation(item) for item in expected.alternatives) + ")"
    lanes = " ".join(f"nan:{lane.kind}" if isinstance(lane, NanPattern) else f"{lane:#x}" for lane in expected.lanes)
    return f"v128:{expected.shape}[{lanes}]"


def format_expected(expected: Sequence[Expected]) -> str:
    return "(" + ", ".join(format_expectation(item) for item in expected) + ")"


def format_results(results: Sequence[Value]) -> str:
    return "(" + ", ".join(format_value(value) for value in results) + ")"
