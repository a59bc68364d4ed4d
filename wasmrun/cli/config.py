"""The rules for ``wasmrun run``'s option values, and the one record a ``run`` command line parses into.

That record is :class:`~wasmrun.launch.RunConfig` (with the engine's
:class:`~wasmrun.engine.options.EngineOptions` inside it): the CLI parses
options into one (:func:`wasmrun.cli.main.build_run_config`) and hands it to
the library, which runs by it as it is; the library never looks at
``sys.argv``.  The rules for option values (durations, sizes, ``--dir`` and
``--env`` forms, Wasmtime's ``-W``/``-S``/``-D``/``-C`` aliases) live here, once,
and raise :class:`ConfigError` (a usage error: exit status 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar, cast

from wasmrun.engine.options import ENGINES as ENGINES
from wasmrun.engine.options import EngineOptions as EngineOptions
from wasmrun.launch import DEFAULT_MAX_BACKTRACE as DEFAULT_MAX_BACKTRACE
from wasmrun.launch import DEFAULT_MAX_MEMORY as DEFAULT_MAX_MEMORY
from wasmrun.launch import DirMapping as DirMapping
from wasmrun.launch import RunConfig as RunConfig

if TYPE_CHECKING:
    from wasmrun.features import Features

POINTER_SIZE_CHOICES = ("8", "4")  # `inspect --ptr-size`: a 64-bit or a 32-bit host


class ConfigError(ValueError):
    """A bad option value; the CLI reports it as a usage error (exit status 2)."""


# The records of this module are NamedTuples rather than frozen dataclasses: every `wasmrun` start-up
# defines them, and a dataclass takes about a millisecond to define (start-up is a promise of the CLI).


# --- option values -------------------------------------------------------------------------
#
# Each parser raises ConfigError with a reason that reads after "Invalid value for '--fuel': ".

# Patterns are compiled (and cached by `re`) when first used, not at start-up.
_DURATION = r"(\d+(?:\.\d*)?|\.\d+)\s*(ns|us|µs|ms|s|m|h)?"
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str) -> float:
    """A duration in seconds: ``500ms``, ``2s``, ``1.5m``, ``1h``; a bare number is seconds."""
    match = re.fullmatch(_DURATION, text.strip())
    if match is None:
        raise ConfigError(f"{text!r} is not a duration (examples: 500ms, 2s, 1m)")
    seconds = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    if seconds <= 0:
        raise ConfigError(f"{text!r}: a duration must be more than zero")
    return seconds


_SIZE = r"(\d+)\s*([kmgt]i?b?|b)?"
_SIZE_SHIFTS = {"k": 10, "m": 20, "g": 30, "t": 40}


def parse_size(text: str) -> int:
    """A size in bytes: a number of bytes, or with a binary suffix (``64K``/``64KiB``, ``512M``, ``4G``, ``1T``)."""
    match = re.fullmatch(_SIZE, text.strip(), re.IGNORECASE)
    if match is None:
        raise ConfigError(f"{text!r} is not a size (examples: 65536, 64KiB, 512M, 4G)")
    number, suffix = int(match.group(1)), (match.group(2) or "b").lower()
    return number if suffix == "b" else number << _SIZE_SHIFTS[suffix[0]]


def parse_dir(text: str) -> DirMapping:
    """``HOST`` or ``HOST::GUEST`` (the guest path defaults to the host path)."""
    host, separator, guest = text.partition("::")
    if not host:
        raise ConfigError(f"{text!r}: the host directory is empty")
    if separator and not guest:
        raise ConfigError(f"{text!r}: the guest path after '::' is empty")
    return DirMapping(host, guest if separator else host)


def parse_env(text: str) -> tuple[str, str | None]:
    """``K=V`` sets ``K``; ``K`` alone copies the host's value (``None`` here)."""
    key, separator, value = text.partition("=")
    if not key:
        raise ConfigError(f"{text!r}: the variable name is empty")
    return key, value if separator else None


def parse_count(text: str, minimum: int = 0) -> int:
    """A decimal integer no smaller than ``minimum``."""
    try:
        number = int(text.strip(), 10)
    except ValueError:
        raise ConfigError(f"{text!r} is not an integer") from None
    if number < minimum:
        raise ConfigError(f"{text!r}: must be at least {minimum}")
    return number


def parse_path(text: str) -> str:
    """A file name (checked when it is opened)."""
    if not text:
        raise ConfigError("the file name is empty")
    return text


def backtrace_details_from_environment(host: Mapping[str, str]) -> bool:
    """Wasmtime's ``WASMTIME_BACKTRACE_DETAILS=0`` turns source lines in backtraces off."""
    return host.get("WASMTIME_BACKTRACE_DETAILS", "1").strip() != "0"


# --- Wasmtime's keys ------------------------------------------------------------------------
#
# Every key of Wasmtime's ``-O``/``-C``/``-D``/``-W``/``-S``/``-R`` is in one table,
# wasmrun.cli.wasmtime_options, with what wasmrun does with it.  An implemented key sets a field (the
# parameter of wasmrun's own option when it has one, so ``-W fuel=N`` and ``--fuel N`` are one setting).
# Wasmtime accepts several comma-separated settings in one ``-W``; so does wasmrun.

if TYPE_CHECKING:
    from wasmrun.cli.wasmtime_options import WasmtimeKey

AliasValues = dict[str, "tuple[object, WasmtimeKey]"]
"""Field -> (value, the key that set it)."""


def parse_aliases(flag: str, settings: Iterable[str], values: AliasValues | None = None) -> AliasValues:
    """The fields set by Wasmtime-style ``flag`` options (``-W fuel=10,timeout=2s``); later wins.

    Unknown keys, bad values and refused keys raise ConfigError with Wasmtime's (or wasmrun's) text.
    Proposal switches are :func:`split_proposal_switches`'s and are skipped here.
    """
    values = {} if values is None else values
    settings = tuple(settings)
    if not settings:
        return values  # (the table is loaded only for a command line that has keys: start-up stays small)
    from wasmrun.cli.wasmtime_options import SettingError, find, parse_setting

    for setting in settings:
        for item in setting.split(","):
            try:
                parsed = parse_setting(flag, item.strip())
            except SettingError as error:
                key, _, text = item.strip().partition("=")
                wasmrun_syntax = _WASMRUN_SYNTAX.get((flag, key))
                if wasmrun_syntax is None:
                    raise ConfigError(str(error)) from None
                try:
                    values[wasmrun_syntax[0]] = (wasmrun_syntax[1](text), find(flag, key))
                except ConfigError:
                    raise ConfigError(str(error)) from None
                continue
            if parsed.field is not None and parsed.field != "features":
                values[parsed.field] = (parsed.value, parsed.entry)
    return values


# Keys whose wasmrun option takes more than Wasmtime's syntax (``-W timeout=1m``, ``-W max-memory-size=4G``):
# a value Wasmtime's parser refuses is read as the option reads it (Wasmtime's error if neither can).
_WASMRUN_SYNTAX = {
    ("-W", "timeout"): ("timeout", parse_duration),
    ("-W", "max-memory-size"): ("max_memory", parse_size),
}


# Wasmtime's ``-W`` switches of the WebAssembly proposals: key -> proposal (wasmrun.features).  Only the
# proposals wasmrun has are accepted; each is on unless switched off (``-W exceptions=n``).
_PROPOSAL_KEYS = {
    "simd": "simd",
    "bulk-memory": "bulk-memory",
    "reference-types": "reference-types",
    "multi-value": "multi-value",
    "exceptions": "exception-handling",
    "tail-call": "tail-call",
    "function-references": "function-references",
    "memory64": "memory64",
    "multi-memory": "multi-memory",
    "extended-const": "extended-const",
    "relaxed-simd": "relaxed-simd",
    "threads": "threads",
    "wide-arithmetic": "wide-arithmetic",
    "custom-page-sizes": "custom-page-sizes",
    "shared-memory": "shared-memory",  # not a proposal: Features.shared_memory
    "gc": "gc",
    "gc-support": "gc-support",  # not a proposal: Features.gc_support (off, the gc proposal is off too)
}


def proposal_switches() -> dict[str, str]:
    """The ``-W`` keys wasmrun knows for proposals (those of proposals it has)."""
    from wasmrun.features import PROPOSALS

    return {
        key: proposal for key, proposal in _PROPOSAL_KEYS.items() if proposal in PROPOSALS or proposal in _NOT_PROPOSALS
    }


def split_proposal_switches(settings: Iterable[str], base: Features | None = None) -> tuple[list[str], Features]:
    """``-W`` settings without the proposal switches, and the features those switches leave on of ``base``
    (default: every proposal on by default)."""
    from wasmrun.features import ALL_FEATURES

    switches = proposal_switches()
    rest: list[str] = []
    off: set[str] = set()
    on: set[str] = set()
    for setting in settings:
        kept = []
        for item in setting.split(","):
            key, separator, text = item.strip().partition("=")
            if key not in switches and key != ALL_PROPOSALS:
                kept.append(item)
                continue
            from wasmrun.cli.wasmtime_options import SettingError
            from wasmrun.cli.wasmtime_options import parse_switch as wasmtime_switch

            try:
                enabled = wasmtime_switch(text if separator else None)
            except SettingError as error:
                raise ConfigError(f"failed to parse -W option `{item.strip()}`: {error}") from None
            # (all-proposals leaves gc-support alone: it is not a proposal.)
            chosen = [p for p in switches.values() if p != "gc-support"] if key == ALL_PROPOSALS else [switches[key]]
            for proposal in chosen:
                (off.discard if enabled else off.add)(proposal)
                (on.add if enabled else on.discard)(proposal)
        if kept:
            rest.append(",".join(kept))
    # (A switch off by default, such as custom-page-sizes or shared-memory, is turned on by name.)
    features = (ALL_FEATURES if base is None else base)._replace(
        **{proposal.replace("-", "_"): True for proposal in on if proposal in _OFF_BY_DEFAULT}
    )
    if "gc-support" in off:
        off.add("gc")  # without a GC heap there are no GC objects (Wasmtime refuses their types)
    return rest, features.without(*sorted(off))


_OFF_BY_DEFAULT = ("custom-page-sizes", "shared-memory")
_NOT_PROPOSALS = ("shared-memory", "gc-support")  # switches of Features that are not proposals
ALL_PROPOSALS = "all-proposals"  # Wasmtime's -W all-proposals: every switch at once


T = TypeVar("T")


def merge_alias(field: str, option: T | None, aliases: AliasValues) -> T | None:
    """One setting given as a wasmrun option (``None``: not given), as a Wasmtime alias, or as both (must agree).

    The alias parsers give each field the type of its wasmrun option, hence the cast.
    """
    if field not in aliases:
        return option
    value, alias = aliases[field]
    if option is not None and option != value:
        raise ConfigError(f"{alias.option} and {alias.flag} {alias.key} give different values")
    return cast(T, value)


def parse_preload(text: str) -> tuple[str, str]:
    """``--preload NAME=MODULE_PATH`` (Wasmtime's text when the ``=`` is missing)."""
    name, separator, path = text.partition("=")
    if not separator:
        raise ConfigError("must contain exactly one equals character ('=')")
    if not name or not path:
        raise ConfigError(f"{text!r}: the name and the module path must not be empty")
    return name, path


# Wasmtime's --config FILE: its TOML tables and the flag of each.
_CONFIG_TABLES = {"optimize": "-O", "codegen": "-C", "debug": "-D", "wasm": "-W", "wasi": "-S", "record": "-R"}


def wasmtime_config_settings(path: str | None) -> dict[str, list[str]]:
    """The settings of Wasmtime's ``--config FILE`` as ``KEY=VAL`` items per flag (``{"-W": ["fuel=10"]}``).

    Its tables hold the keys of ``-O``, ``-C``, ``-D``, ``-W``, ``-S`` and ``-R`` (TOML booleans are
    ``y``/``n``, a list is the key given once per item); they go through the same table as the
    command line's keys.  A file that cannot be read or parsed, or another table, is a ConfigError.
    """
    if path is None:
        return {}
    import tomllib

    try:
        with open(path, "rb") as file:
            document = tomllib.load(file)
    except OSError as error:
        raise ConfigError(f"cannot read the --config file {path!r}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"the --config file {path!r} is not TOML: {error}") from None
    settings: dict[str, list[str]] = {}
    for table, keys in document.items():
        flag = _CONFIG_TABLES.get(table)
        if flag is None or not isinstance(keys, dict):
            raise ConfigError(f"the --config file {path!r}: unknown field `{table}`")
        for key, value in keys.items():
            for item in value if isinstance(value, list) else [value]:
                text = ("y" if item else "n") if isinstance(item, bool) else str(item)
                settings.setdefault(flag, []).append(f"{key}={text}")
    return settings


def check_report_path(path: str) -> str:
    """``--json-report FILE``: a file that can be written (checked before the guest runs); ``-`` is stderr."""
    import os

    if path == "-":
        return path
    if not path:
        raise ConfigError("the file name is empty")
    if os.path.isdir(path):
        raise ConfigError(f"{path!r} is a directory")
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise ConfigError(f"cannot write {path!r}: no directory {directory!r}")
    writable = os.access(path, os.W_OK) if os.path.exists(path) else os.access(directory, os.W_OK | os.X_OK)
    if not writable:
        raise ConfigError(f"cannot write {path!r}: permission denied")
    return path
