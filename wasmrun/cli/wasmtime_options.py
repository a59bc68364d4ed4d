"""Wasmtime 49's ``run`` command line, option by option and key by key, and what wasmrun does with each.

The one table of it: the parser (:func:`parse_setting`, through
:func:`wasmrun.cli.config.parse_aliases`), the contract's tables in
``docs/cli.md`` (:func:`markdown_tables`, checked by a test) and the
table-driven test all read :data:`KEYS` and :data:`RUN_OPTIONS`.

Each ``-O``/``-C``/``-D``/``-W``/``-S``/``-R`` key is one of:

- **implemented**: it sets the run's configuration (``field``, in
  :class:`~wasmrun.launch.RunConfig` or its engine options), the same setting
  as wasmrun's own option when it has one (``option``);
- **accepted and ignored**: it only tunes what wasmrun does not have (a native
  compiler, virtual memory reservations, Wasmtime's logging), so any valid value
  changes nothing;
- **refused**: it asks for behaviour wasmrun does not have; a usage error naming
  the key and why, except with ``accepts``, the value that asks for what wasmrun
  does anyway (``-W nan-canonicalization=n``).

Values are parsed as Wasmtime parses them (``-W help`` shows the same value
syntaxes), with Wasmtime's texts for a key it does not know and a value it
cannot parse.  Data only, loaded when a command line has such a key: ``wasmrun
app.wasm`` does not import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

IMPLEMENTED = "implemented"
IGNORED = "accepted and ignored"
REFUSED = "refused"
STATUSES = (IMPLEMENTED, IGNORED, REFUSED)

WASMTIME_VERSION = "49.0.3"
"""The Wasmtime whose command line this is (read from its sources: crates/cli-flags, src/commands, src/common.rs)."""

# The long spelling of each group (Wasmtime's `-W` is `--wasm`, ...).
GROUPS = {"-O": "--optimize", "-C": "--codegen", "-D": "--debug", "-W": "--wasm", "-S": "--wasi", "-R": "--record"}


class SettingError(ValueError):
    """A key Wasmtime does not know, a value it cannot parse, or a key wasmrun refuses (a usage error)."""


# --- value syntaxes: Wasmtime's parsers, with its messages ---------------------------------------

SWITCH = "[=y|n]"
NUMBER = "=N"
TEXT = "=val"
PATH = "=path"
DURATION = "=N|Ns|Nms|.."
OPT_LEVEL = "=0|1|2|s"
REGALLOC = "=backtracking|single-pass"
COMPILER = "=winch|cranelift"
COLLECTOR = "=drc|null|copying"
ENABLED = "[=y|n|auto]"
INLINING = "[=y|n|gc|inter-module|intrinsics]"
KEY_VALUE = "=<name>=<val>"
NN_GRAPH = "=<format>::<dir>"
PREFIXED = "[=val]"


def _required(text: str | None) -> str:
    if text is None:
        raise SettingError("value must be specified with `key=val` syntax")
    return text


def parse_switch(text: str | None) -> bool:
    if text in (None, "y", "yes", "true"):
        return True
    if text in ("n", "no", "false"):
        return False
    raise SettingError(f"unknown boolean flag `{text}`, only yes,no,<nothing> accepted")


def parse_number(text: str | None, bits: int = 64) -> int:
    """An unsigned integer: decimal or ``0x`` hexadecimal, ``_`` ignored (``1_000``)."""
    digits = _required(text).replace("_", "")
    hexadecimal = digits.startswith("0x")
    body = digits[2:] if hexadecimal else digits
    allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
    if not body or any(character not in allowed for character in body):
        raise SettingError("invalid digit found in string" if body else "cannot parse integer from empty string")
    number = int(body, 16 if hexadecimal else 10)
    if number >= 1 << bits:
        raise SettingError("number too large to fit in target type")
    return number


def parse_nonzero(text: str | None) -> int:
    number = parse_number(text, 32)
    if number == 0:
        raise SettingError("value must be non-zero")
    return number


def parse_text(text: str | None) -> str:
    return _required(text)


_DURATION_UNITS = (("ms", 1e-3), ("us", 1e-6), ("μs", 1e-6), ("ns", 1e-9), ("s", 1.0))


def parse_duration(text: str | None) -> float:
    """Seconds: a bare integer is seconds, else an integer with ``s``, ``ms``, ``us``/``μs`` or ``ns``."""
    value = _required(text)
    if value.isdigit():
        return float(value)
    for unit, scale in _DURATION_UNITS:
        number = value.removesuffix(unit)
        if number != value and number.isdigit():
            return int(number) * scale
    raise SettingError(f"failed to parse duration: {value}")


def _choice(values: tuple[str, ...], message: str, *, optional: str | None = None) -> Callable[[str | None], str]:
    def parse(text: str | None) -> str:
        if text is None and optional is not None:
            return optional
        value = _required(text)
        if value not in values:
            raise SettingError(message.format(value))
        return value

    return parse


parse_opt_level = _choice(("0", "1", "2", "s"), "unknown optimization level `{}`, only 0,1,2,s accepted")
parse_regalloc = _choice(
    ("backtracking", "single-pass"), "unknown regalloc algorithm`{}`, only backtracking,single-pass accepted"
)
parse_compiler = _choice(("cranelift", "winch"), "unknown compiler `{}` only `cranelift` and `winch` accepted")
parse_collector = _choice(
    ("drc", "null", "copying"), "unknown collector `{}` only `drc`, `null`, and `copying` accepted"
)
parse_enabled = _choice(
    ("y", "yes", "true", "n", "no", "false", "auto"),
    "unknown flag `{}`, only yes,no,auto,<nothing> accepted",
    optional="y",
)
parse_inlining = _choice(
    ("y", "yes", "true", "n", "no", "false", "gc", "inter-module", "intrinsics"),
    "invalid intra-module inlining option string: `{}`, only yes,no,gc,inter-module,intrinsics accepted",
    optional="y",
)


def parse_key_value(text: str | None) -> tuple[str, str]:
    key, _, value = _required(text).partition("=")
    return key, value


def parse_nn_graph(text: str | None) -> tuple[str, str]:
    encoding, separator, directory = _required(text).partition("::")
    if not separator:
        raise SettingError("graph does not contain `::` separator for directory")
    return encoding, directory


def parse_prefixed(text: str | None) -> str | None:
    return text


_PARSERS: dict[str, Callable[[str | None], object]] = {
    SWITCH: parse_switch,
    NUMBER: parse_number,
    TEXT: parse_text,
    PATH: parse_text,
    DURATION: parse_duration,
    OPT_LEVEL: parse_opt_level,
    REGALLOC: parse_regalloc,
    COMPILER: parse_compiler,
    COLLECTOR: parse_collector,
    ENABLED: parse_enabled,
    INLINING: parse_inlining,
    KEY_VALUE: parse_key_value,
    NN_GRAPH: parse_nn_graph,
    PREFIXED: parse_prefixed,
}


# --- the keys ------------------------------------------------------------------------------------


class WasmtimeKey(NamedTuple):
    """One ``-O``/``-C``/``-D``/``-W``/``-S``/``-R`` key of Wasmtime 49 and wasmrun's answer to it.

    ``field``: the setting an implemented key sets (a field of RunConfig or EngineOptions, or
    ``features`` for a proposal); ``option``: wasmrun's own spelling of it, if any; ``note``: what it
    does (implemented), why it changes nothing (ignored) or why wasmrun refuses it.
    """

    flag: str
    key: str  # a prefixed key is written "cranelift-<KEY>"
    value: str  # the value syntax, as `wasmtime run -W help` shows it
    status: str
    note: str
    field: str | None = None
    option: str | None = None
    accepts: object = None  # a refused key: the parsed value that asks for what wasmrun does anyway
    convert: Callable[[object], object] | None = None  # the parsed value -> the field's value

    @property
    def spelling(self) -> str:
        return f"{self.flag} {self.key}{self.value}"

    def parse(self, text: str | None) -> object:
        return _PARSERS[self.value](text)


def _ignored(flag: str, key: str, value: str, note: str) -> WasmtimeKey:
    return WasmtimeKey(flag, key, value, IGNORED, note)


def _refused(flag: str, key: str, value: str, note: str, accepts: object = None) -> WasmtimeKey:
    return WasmtimeKey(flag, key, value, REFUSED, note, accepts=accepts)


def _inherit(stream: int) -> Callable[[object], object]:
    """``-S inherit-stdin=n``: the guest's stream is no host fd (empty input, discarded output)."""
    return lambda inherit: stream if inherit else None


_NATIVE = "tunes Wasmtime's native code or its virtual memory; wasmrun has neither"
_POOLING = "sizes Wasmtime's pooling allocator; wasmrun allocates on demand"
_NO_WASI_PROPOSAL = "wasmrun's WASI is preview 1 (files, clocks, random, args, environment) without this proposal"
_NO_SOCKETS = "wasmrun's WASI has no sockets (sock_* return ENOTSUP), so there is no network to allow or deny"


def _optimize_keys() -> list[WasmtimeKey]:
    switches = (
        "memory-may-move",
        "gc-heap-may-move",
        "guard-before-linear-memory",
        "table-lazy-init",
        "memory-init-cow",
        "signals-based-traps",
        "static-memory-forced",
    )
    numbers = (
        "memory-reservation",
        "memory-reservation-for-growth",
        "memory-guard-size",
        "gc-heap-reservation",
        "gc-heap-reservation-for-growth",
        "gc-heap-guard-size",
        "gc-heap-initial-size",
        "memory-guaranteed-dense-image-size",
        "dynamic-memory-guard-size",
        "static-memory-guard-size",
        "static-memory-maximum-size",
        "dynamic-memory-reserved-for-growth",
    )
    pooling_numbers = (
        "pooling-decommit-batch-size",
        "pooling-memory-keep-resident",
        "pooling-table-keep-resident",
        "pooling-max-memory-protection-keys",
        "pooling-total-core-instances",
        "pooling-total-component-instances",
        "pooling-total-memories",
        "pooling-total-tables",
        "pooling-total-stacks",
        "pooling-max-memory-size",
        "pooling-table-elements",
        "pooling-max-core-instance-size",
        "pooling-max-unused-warm-slots",
        "pooling-async-stack-keep-resident",
        "pooling-max-component-instance-size",
        "pooling-max-core-instances-per-component",
        "pooling-max-memories-per-component",
        "pooling-max-tables-per-component",
        "pooling-max-tables-per-module",
        "pooling-max-memories-per-module",
        "pooling-total-gc-heaps",
    )
    return [
        _ignored("-O", "opt-level", OPT_LEVEL, "the optimisation level of Cranelift's native code"),
        _ignored("-O", "regalloc-algorithm", REGALLOC, "Cranelift's register allocator"),
        *(_ignored("-O", key, SWITCH, _NATIVE) for key in switches),
        *(_ignored("-O", key, NUMBER, _NATIVE) for key in numbers),
        _ignored("-O", "pooling-allocator", SWITCH, _POOLING),
        _ignored("-O", "pooling-memory-protection-keys", ENABLED, _POOLING),
        _ignored("-O", "pooling-pagemap-scan", ENABLED, _POOLING),
        *(_ignored("-O", key, NUMBER, _POOLING) for key in pooling_numbers),
        WasmtimeKey(
            "-O",
            "gc-zeal-alloc-counter",
            "=N",
            IGNORED,
            "Wasmtime's GC fuzzing aid; Python's collector frees wasmrun's GC objects",
        ),
    ]


def _codegen_keys() -> list[WasmtimeKey]:
    return [
        _ignored("-C", "compiler", COMPILER, "which native compiler Wasmtime uses; wasmrun's tiers are --engine"),
        _ignored("-C", "collector", COLLECTOR, "Wasmtime's GC heap; wasmrun's GC objects are Python objects"),
        _ignored("-C", "cranelift-debug-verifier", SWITCH, "checks Cranelift's own output"),
        WasmtimeKey("-C", "cache", SWITCH, IMPLEMENTED, "use the code cache, or not", field="cache", option="--cache"),
        WasmtimeKey(
            "-C",
            "cache-config",
            TEXT,
            IMPLEMENTED,
            "the code cache's configuration file",
            field="cache_config",
            option="--cache-config",
        ),
        WasmtimeKey(
            "-C",
            "parallel-compilation",
            SWITCH,
            IMPLEMENTED,
            "a big module's function bodies are validated on two cores (a second process), as Wasmtime compiles"
            " on several threads",
            field="parallel_compilation",
        ),
        _ignored("-C", "native-unwind-info", SWITCH, _NATIVE),
        _ignored("-C", "inlining", INLINING, "Cranelift's inlining"),
        _ignored("-C", "metadata-for-internal-asserts", SWITCH, _NATIVE),
        _ignored("-C", "metadata-for-gc-heap-corruption", SWITCH, _NATIVE),
        _ignored("-C", "cranelift-<KEY>", PREFIXED, "one of Cranelift's settings (`wasmtime settings` lists them)"),
    ]


def _debug_keys() -> list[WasmtimeKey]:
    return [
        _ignored("-D", "debug-info", SWITCH, "DWARF for native code; wasmrun reads the module's DWARF itself"),
        _refused("-D", "guest-debug", SWITCH, "wasmrun has no guest debugging instrumentation", accepts=False),
        _ignored("-D", "address-map", SWITCH, "maps native addresses to wasm; wasmrun's frames are wasm's"),
        _ignored("-D", "logging", SWITCH, "Wasmtime's internal log (RUST_LOG)"),
        _ignored("-D", "log-to-files", SWITCH, "Wasmtime's internal log (RUST_LOG)"),
        _refused("-D", "coredump", TEXT, "wasmrun does not write wasm core dumps"),
        _refused("-D", "debugger", PATH, "wasmrun cannot attach a debugger component"),
        _ignored("-D", "arg", TEXT, "an argument for -D debugger, which wasmrun refuses"),
        _ignored("-D", "inherit-stdin", SWITCH, "the debugger component's stdin (-D debugger is refused)"),
        _ignored("-D", "inherit-stdout", SWITCH, "the debugger component's stdout (-D debugger is refused)"),
        _ignored("-D", "inherit-stderr", SWITCH, "the debugger component's stderr (-D debugger is refused)"),
        WasmtimeKey(
            "-D",
            "max-backtrace",
            NUMBER,
            IMPLEMENTED,
            "frames shown in a trap backtrace",
            field="max_backtrace",
            option="--max-backtrace",
        ),
        _ignored("-D", "symbols", SWITCH, "symbols in .cwasm files; wasmrun's .cwasm is its own format"),
    ]


# -W keys of proposals: wasmrun.cli.config.split_proposal_switches parses those wasmrun has.
PROPOSALS_IMPLEMENTED = (
    "bulk-memory",
    "multi-memory",
    "multi-value",
    "reference-types",
    "simd",
    "relaxed-simd",
    "tail-call",
    "threads",
    "shared-memory",
    "memory64",
    "function-references",
    "custom-page-sizes",
    "wide-arithmetic",
    "extended-const",
    "exceptions",
    "gc",
)
_PROPOSALS_MISSING = (
    ("shared-everything-threads", "the shared-everything-threads proposal"),
    ("stack-switching", "the stack-switching proposal"),
    ("component-model-async-stackful", "the component model's stackful async"),
    ("component-model-threading", "the component model's threading"),
    ("component-model-gc", "the component model's GC"),
)
# Component-model features wasmrun's component validator always accepts: on is what wasmrun does anyway.
_COMPONENT_FEATURES_ALWAYS_ON = (
    ("component-model-async", "async functions, lifts and lowers whose calls complete at once (no streams)"),
    ("component-model-more-async-builtins", "the async built-ins exist with their types (those it cannot run trap)"),
    ("component-model-error-context", "the error-context built-ins exist with their types (calling one traps)"),
    ("component-model-map", "map<K, V> values"),
    ("component-model-memory64", "canonical options with a 64-bit memory"),
    ("component-model-fixed-length-lists", "fixed-length lists"),
    ("component-model-implements", "`implements` on imports and exports"),
    ("concurrency-support", "the component model's async machinery, as far as wasmrun has it"),
)


def _wasm_keys() -> list[WasmtimeKey]:
    implemented = [
        WasmtimeKey(
            "-W", "fuel", NUMBER, IMPLEMENTED, "budget of executed instructions", field="fuel", option="--fuel"
        ),
        WasmtimeKey(
            "-W",
            "timeout",
            DURATION,
            IMPLEMENTED,
            "wall-clock budget (wasmrun also takes 1.5s, 1m, 1h)",
            field="timeout",
            option="--timeout",
        ),
        WasmtimeKey(
            "-W",
            "max-memory-size",
            NUMBER,
            IMPLEMENTED,
            "cap for each linear memory, in bytes (wasmrun also takes 64KiB, 4G)",
            field="max_memory",
            option="--max-memory",
        ),
        WasmtimeKey(
            "-W",
            "max-table-elements",
            NUMBER,
            IMPLEMENTED,
            "cap for each table: table.grow beyond it returns -1, a larger minimum fails instantiation",
            field="max_table_elements",
        ),
        WasmtimeKey(
            "-W",
            "max-instances",
            NUMBER,
            IMPLEMENTED,
            "instances the run may create (preloads included; default 10000)",
            field="max_instances",
        ),
        WasmtimeKey(
            "-W", "max-tables", NUMBER, IMPLEMENTED, "tables the run may define (default 10000)", field="max_tables"
        ),
        WasmtimeKey(
            "-W",
            "max-memories",
            NUMBER,
            IMPLEMENTED,
            "memories the run may define (default 10000)",
            field="max_memories",
        ),
        WasmtimeKey(
            "-W",
            "trap-on-grow-failure",
            SWITCH,
            IMPLEMENTED,
            "memory.grow and table.grow that fail stop the program instead of returning -1",
            field="trap_on_grow_failure",
        ),
        WasmtimeKey(
            "-W",
            "unknown-imports-trap",
            SWITCH,
            IMPLEMENTED,
            "an imported function nobody defines links as a function that fails when called",
            field="unknown_imports_trap",
        ),
        WasmtimeKey(
            "-W",
            "unknown-imports-default",
            SWITCH,
            IMPLEMENTED,
            "an imported function nobody defines links as one that returns zeros (null references)",
            field="unknown_imports_default",
        ),
        WasmtimeKey(
            "-W",
            "unknown-exports-allow",
            SWITCH,
            IMPLEMENTED,
            "wasmrun never refuses a module's exports, so they are always allowed",
        ),
        WasmtimeKey(
            "-W",
            "all-proposals",
            SWITCH,
            IMPLEMENTED,
            "every proposal wasmrun implements on (=n: off)",
            field="features",
        ),
        *(
            WasmtimeKey("-W", key, SWITCH, IMPLEMENTED, "a proposal (see the proposals table)", field="features")
            for key in PROPOSALS_IMPLEMENTED
        ),
        WasmtimeKey(
            "-W",
            "gc-support",
            SWITCH,
            IMPLEMENTED,
            "=n: no type that needs a GC heap (externref, exnref, GC types; the gc proposal off too)",
            field="features",
        ),
    ]
    return [
        *implemented,
        _refused(
            "-W",
            "nan-canonicalization",
            SWITCH,
            "wasmrun's float instructions give the host's NaN bits (canonicalising them is not implemented)",
            accepts=False,
        ),
        _ignored("-W", "epoch-interruption", SWITCH, "no epoch is ever incremented by `run`; --timeout needs none"),
        _refused(
            "-W",
            "max-wasm-stack",
            NUMBER,
            "wasmrun bounds the call depth in frames, not bytes: use --max-stack-depth N",
        ),
        _ignored("-W", "async-stack-size", NUMBER, "native stacks for async calls; wasmrun runs on Python's stack"),
        _ignored("-W", "async-stack-zeroing", SWITCH, "native stacks for async calls; wasmrun runs on Python's stack"),
        _refused("-W", "wmemcheck", SWITCH, "wasmrun has no memory checker", accepts=False),
        _ignored(
            "-W",
            "relaxed-simd-deterministic",
            SWITCH,
            "wasmrun always gives the deterministic results, which =n allows too",
        ),
        _ignored(
            "-W",
            "branch-hinting",
            SWITCH,
            "branch hints only steer native code layout; wasmrun ignores the hints section either way",
        ),
        _ignored(
            "-W", "component-model", SWITCH, "wasmrun runs components (a module or a component, as the file says)"
        ),
        *(
            _refused("-W", key, SWITCH, f"wasmrun does not implement {what}", accepts=False)
            for key, what in _PROPOSALS_MISSING
        ),
        *(
            _refused("-W", key, SWITCH, f"always on in wasmrun ({what}); it cannot be turned off", accepts=True)
            for key, what in _COMPONENT_FEATURES_ALWAYS_ON
        ),
    ]


def _wasi_keys() -> list[WasmtimeKey]:
    missing = ("nn", "http", "config", "keyvalue", "tls", "p3")
    return [
        _refused("-S", "cli", SWITCH, "wasmrun always links WASI for a module that imports it", accepts=True),
        WasmtimeKey(
            "-S",
            "cli-exit-with-code",
            SWITCH,
            IMPLEMENTED,
            "components: wasi:cli/exit's exit-with-code",
            field="cli_exit_with_code",
            option="--cli-exit-with-code",
        ),
        _refused("-S", "common", SWITCH, "(Wasmtime's old name of -S cli) WASI is always linked", accepts=True),
        *(_refused("-S", key, SWITCH, _NO_WASI_PROPOSAL, accepts=False) for key in missing),
        _refused(
            "-S", "threads", SWITCH, "wasi-threads is not implemented (Wasmtime 49 refuses it too)", accepts=False
        ),
        _ignored("-S", "http-outgoing-body-buffer-chunks", NUMBER, "tunes wasi-http, which wasmrun does not have"),
        _ignored("-S", "http-outgoing-body-chunk-size", NUMBER, "tunes wasi-http, which wasmrun does not have"),
        _refused("-S", "listenfd", SWITCH, _NO_SOCKETS, accepts=False),
        _refused("-S", "tcplisten", TEXT, _NO_SOCKETS),
        _refused(
            "-S",
            "preview2",
            SWITCH,
            "wasmrun has one WASI preview 1 implementation (Wasmtime 49 refuses =n too)",
            accepts=True,
        ),
        _refused("-S", "nn-graph", NN_GRAPH, _NO_WASI_PROPOSAL),
        _ignored("-S", "inherit-network", SWITCH, _NO_SOCKETS),
        _ignored("-S", "allow-ip-name-lookup", SWITCH, _NO_SOCKETS),
        _ignored("-S", "tcp", SWITCH, _NO_SOCKETS),
        _ignored("-S", "udp", SWITCH, _NO_SOCKETS),
        _ignored("-S", "network-error-code", SWITCH, _NO_SOCKETS),
        _refused(
            "-S",
            "preview0",
            SWITCH,
            "wasmrun always links wasi_unstable for a module that imports it",
            accepts=True,
        ),
        WasmtimeKey(
            "-S",
            "inherit-env",
            SWITCH,
            IMPLEMENTED,
            "give the guest the whole host environment",
            field="inherit_env",
            option="--inherit-env",
        ),
        WasmtimeKey(
            "-S",
            "inherit-stdin",
            SWITCH,
            IMPLEMENTED,
            "=n: the guest's stdin is empty",
            field="stdin",
            convert=_inherit(0),
        ),
        WasmtimeKey(
            "-S",
            "inherit-stdout",
            SWITCH,
            IMPLEMENTED,
            "=n: what the guest writes to stdout is discarded",
            field="stdout",
            convert=_inherit(1),
        ),
        WasmtimeKey(
            "-S",
            "inherit-stderr",
            SWITCH,
            IMPLEMENTED,
            "=n: what the guest writes to stderr is discarded",
            field="stderr",
            convert=_inherit(2),
        ),
        _refused("-S", "cwd", TEXT, "wasmrun's components get no initial working directory"),
        _refused("-S", "config-var", KEY_VALUE, _NO_WASI_PROPOSAL),
        _refused("-S", "keyvalue-in-memory-data", KEY_VALUE, _NO_WASI_PROPOSAL),
        _refused(
            "-S",
            "max-resources",
            NUMBER,
            "wasmrun's handle table has a fixed size (2^20 handles per component instance)",
        ),
        _refused("-S", "hostcall-fuel", NUMBER, "wasmrun does not meter data passed to host calls"),
        _refused("-S", "max-random-size", NUMBER, "wasmrun does not bound wasi:random's requests"),
        _ignored("-S", "max-http-fields-size", NUMBER, "tunes wasi-http, which wasmrun does not have"),
    ]


def _record_keys() -> list[WasmtimeKey]:
    reason = "wasmrun does not record executions (nor has `wasmtime replay`)"
    return [
        _refused("-R", "path", TEXT, reason),
        _refused("-R", "validation-metadata", SWITCH, reason),
        _refused("-R", "event-window-size", NUMBER, reason),
    ]


KEYS: tuple[WasmtimeKey, ...] = (
    *_optimize_keys(),
    *_codegen_keys(),
    *_debug_keys(),
    *_wasm_keys(),
    *_wasi_keys(),
    *_record_keys(),
)
_BY_KEY = {(key.flag, key.key): key for key in KEYS}
_PREFIXES = {(key.flag, key.key.removesuffix("<KEY>")): key for key in KEYS if key.key.endswith("-<KEY>")}


def find(flag: str, key: str) -> WasmtimeKey:
    """The entry of ``flag key`` (a prefixed key, ``cranelift-opt_level``, is its prefix's); Wasmtime's text if none."""
    found = _BY_KEY.get((flag, key))
    if found is None:
        found = next(
            (
                entry
                for (group, prefix), entry in _PREFIXES.items()
                if group == flag and key.startswith(prefix) and len(key) > len(prefix)
            ),
            None,
        )
    if found is None:
        raise SettingError(f"unknown {flag} / {GROUPS[flag]} option: {key}")
    return found


class Setting(NamedTuple):
    """One parsed ``KEY[=VAL]``: its entry, the field it sets (None: nothing to set) and the field's value."""

    entry: WasmtimeKey
    field: str | None
    value: object


def parse_setting(flag: str, item: str) -> Setting:
    """``KEY[=VAL]`` of ``flag``, parsed as Wasmtime parses it; refused keys raise :class:`SettingError`."""
    key, separator, text = item.partition("=")
    entry = find(flag, key)
    try:
        value = entry.parse(text if separator else None)
    except SettingError as error:
        raise SettingError(f"failed to parse {flag} option `{item}`: {error}") from None
    if entry.status == REFUSED:
        if entry.accepts is None or value != entry.accepts:
            raise SettingError(f"{flag} {key} is not supported by wasmrun: {entry.note}")
        return Setting(entry, None, None)
    if entry.status == IGNORED or entry.field is None:
        return Setting(entry, None, None)
    return Setting(entry, entry.field, value if entry.convert is None else entry.convert(value))


def aliases() -> tuple[WasmtimeKey, ...]:
    """The implemented keys that have a wasmrun option of their own (``-W fuel`` and ``--fuel``)."""
    return tuple(entry for entry in KEYS if entry.option is not None)


def key_help(flag: str) -> str:
    """``-W help``'s answer: each key of ``flag`` with its value syntax and what wasmrun does with it."""
    entries = [entry for entry in KEYS if entry.flag == flag]
    width = max(len(entry.key + entry.value) for entry in entries)
    lines = [f"Available {GROUPS[flag].removeprefix('--')} options (Wasmtime {WASMTIME_VERSION}'s; in wasmrun):", ""]
    for entry in entries:
        accepted = "" if entry.accepts is None else f" (={'y' if entry.accepts else 'n'} is accepted)"
        lines.append(f"  {flag} {(entry.key + entry.value).ljust(width)} -- {entry.status}: {entry.note}{accepted}")
    return "\n".join(lines) + "\n"


# --- run's options -----------------------------------------------------------------------------


class RunOption(NamedTuple):
    """One option of ``wasmtime run`` (and the global ``-h``/``-V``) and wasmrun's answer."""

    spellings: tuple[str, ...]
    value: str  # its value's name, "" for a flag
    status: str
    note: str


RUN_OPTIONS: tuple[RunOption, ...] = (
    RunOption(("-O", "--optimize"), "KEY[=VAL[,..]]", IMPLEMENTED, "the -O keys below"),
    RunOption(("-C", "--codegen"), "KEY[=VAL[,..]]", IMPLEMENTED, "the -C keys below"),
    RunOption(("-D", "--debug"), "KEY[=VAL[,..]]", IMPLEMENTED, "the -D keys below"),
    RunOption(("-W", "--wasm"), "KEY[=VAL[,..]]", IMPLEMENTED, "the -W keys below"),
    RunOption(("-S", "--wasi"), "KEY[=VAL[,..]]", IMPLEMENTED, "the -S keys below"),
    RunOption(("-R", "--record"), "KEY[=VAL[,..]]", REFUSED, "wasmrun does not record executions (every -R key)"),
    RunOption(("--target",), "TARGET", IGNORED, "the native target; wasmrun's code is Python, one for every host"),
    RunOption(("--config",), "FILE", IMPLEMENTED, "Wasmtime's TOML: [optimize], [codegen], [debug], [wasm], [wasi]"),
    RunOption(("--allow-precompiled",), "", IMPLEMENTED, "run wasmrun compile's .cwasm"),
    RunOption(
        ("--profile",), "STRATEGY", REFUSED, "perfmap, jitdump, vtune, pulley and guest profiles are not written"
    ),
    RunOption(("--dir",), "HOST_DIR[::GUEST_DIR]", IMPLEMENTED, "preopen a host directory"),
    RunOption(("--env",), "NAME[=VAL]", IMPLEMENTED, "set or copy a guest variable"),
    RunOption(("-g", "--gdbstub"), "[ADDR:]PORT", REFUSED, "wasmrun has no gdbstub debugger component"),
    RunOption(("--invoke",), "FUNCTION", IMPLEMENTED, "call this export; a component's WAVE call is not supported"),
    RunOption(("--preload",), "NAME=MODULE_PATH", IMPLEMENTED, "link another module's exports under NAME"),
    RunOption(("--argv0",), "ARGV0", IMPLEMENTED, "the guest's argv[0]"),
    RunOption(("-h", "--help"), "", IMPLEMENTED, "help"),
    RunOption(("-V", "--version"), "", IMPLEMENTED, "the version (before the command, as Wasmtime's)"),
)


# --- the contract's tables ---------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_tables() -> str:
    """The tables of ``docs/cli.md`` that list Wasmtime's ``run`` options and keys (a test compares them)."""
    lines = ["| Wasmtime option | value | in wasmrun | note |", "|---|---|---|---|"]
    for option in RUN_OPTIONS:
        spellings = ", ".join(f"`{spelling}`" for spelling in option.spellings)
        value = f"`{_cell(option.value)}`" if option.value else ""
        lines.append(f"| {spellings} | {value} | {option.status} | {_cell(option.note)} |")
    lines += ["", "| group | Wasmtime key | in wasmrun | note |", "|---|---|---|---|"]
    for entry in KEYS:
        note = entry.note + (f" (wasmrun's `{entry.option}`)" if entry.option else "")
        if entry.status == REFUSED and entry.accepts is not None:
            note += f"; `={'y' if entry.accepts else 'n'}` is accepted"
        lines.append(f"| `{entry.flag}` | `{_cell(entry.key + entry.value)}` | {entry.status} | {_cell(note)} |")
    return "\n".join(lines) + "\n"
