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
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple, TypeVar, cast

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


_SWITCH_VALUES = {"y": True, "yes": True, "true": True, "n": False, "no": False, "false": False}


def parse_path(text: str) -> str:
    """A file name (checked when it is opened)."""
    if not text:
        raise ConfigError("the file name is empty")
    return text


def parse_switch(text: str) -> bool:
    """Wasmtime's ``y``/``n`` (also ``yes``/``no``, ``true``/``false``)."""
    try:
        return _SWITCH_VALUES[text.strip().lower()]
    except KeyError:
        raise ConfigError(f"{text!r} is not y or n") from None


def backtrace_details_from_environment(host: Mapping[str, str]) -> bool:
    """Wasmtime's ``WASMTIME_BACKTRACE_DETAILS=0`` turns source lines in backtraces off."""
    return host.get("WASMTIME_BACKTRACE_DETAILS", "1").strip() != "0"


# --- Wasmtime's aliases ----------------------------------------------------------------------
#
# Each alias sets the field of the wasmrun option it stands for (the option's parameter, named as its
# field in RunConfig or EngineOptions), so ``-W fuel=N`` and ``--fuel N`` are one setting.  Wasmtime
# accepts several comma-separated settings in one ``-W``; so does wasmrun.


class Alias(NamedTuple):
    flag: str  # "-W", "-S", "-D" or "-C"
    key: str
    field: str  # the option's parameter, and field
    option: str  # wasmrun's spelling
    parse: Callable[[str], object] | None  # None: a switch (``-S key`` or ``-S key=y|n``)


ALIASES = (
    Alias("-W", "fuel", "fuel", "--fuel", parse_count),
    Alias("-W", "timeout", "timeout", "--timeout", parse_duration),
    Alias("-W", "max-memory-size", "max_memory", "--max-memory", parse_size),
    Alias("-S", "inherit-env", "inherit_env", "--inherit-env", None),
    Alias("-S", "cli-exit-with-code", "cli_exit_with_code", "--cli-exit-with-code", None),
    Alias("-D", "max-backtrace", "max_backtrace", "--max-backtrace", parse_count),
    Alias("-C", "cache", "cache", "--cache", None),
    Alias("-C", "cache-config", "cache_config", "--cache-config", parse_path),
)
_ALIAS_BY_KEY = {(alias.flag, alias.key): alias for alias in ALIASES}

AliasValues = dict[str, tuple[object, Alias]]
"""Field (the option's parameter) -> (value, the alias that set it)."""


def parse_aliases(flag: str, settings: Iterable[str], values: AliasValues | None = None) -> AliasValues:
    """The fields set by Wasmtime-style ``flag`` options (``-W fuel=10,timeout=2s``); later wins."""
    values = {} if values is None else values
    for setting in settings:
        for item in setting.split(","):
            key, separator, text = item.strip().partition("=")
            alias = _ALIAS_BY_KEY.get((flag, key))
            if alias is None:
                keys = [a.key for a in ALIASES if a.flag == flag] + (list(proposal_switches()) if flag == "-W" else [])
                known = ", ".join(keys)
                raise ConfigError(f"unsupported {flag} option {key!r} (wasmrun knows: {known})")
            try:
                if alias.parse is None:
                    value: object = parse_switch(text) if separator else True
                elif not separator:
                    raise ConfigError(f"needs a value ({flag} {key}=...)")
                else:
                    value = alias.parse(text)
            except ConfigError as error:
                raise ConfigError(f"invalid value for {flag} {key}: {error}") from None
            values[alias.field] = (value, alias)
    return values


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
}


def proposal_switches() -> dict[str, str]:
    """The ``-W`` keys wasmrun knows for proposals (those of proposals it has)."""
    from wasmrun.features import PROPOSALS

    return {
        key: proposal
        for key, proposal in _PROPOSAL_KEYS.items()
        if proposal in PROPOSALS or proposal == "shared-memory"
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
            if key not in switches:
                kept.append(item)
                continue
            try:
                enabled = parse_switch(text) if separator else True
            except ConfigError as error:
                raise ConfigError(f"invalid value for -W {key}: {error}") from None
            (off.discard if enabled else off.add)(switches[key])
            (on.add if enabled else on.discard)(switches[key])
        if kept:
            rest.append(",".join(kept))
    # (A switch off by default, such as custom-page-sizes or shared-memory, is turned on by name.)
    features = (ALL_FEATURES if base is None else base)._replace(
        **{proposal.replace("-", "_"): True for proposal in on if proposal in _OFF_BY_DEFAULT}
    )
    return rest, features.without(*sorted(off))


_OFF_BY_DEFAULT = ("custom-page-sizes", "shared-memory")


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
