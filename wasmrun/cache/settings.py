"""The code cache's settings: Wasmtime's cache configuration file (TOML), the directory, the limits.

Wasmtime reads its cache settings from a TOML file, the one ``-C cache-config=FILE`` names, else its
default one if it exists (``wasmtime config new`` writes it); so does wasmrun, with the same keys, all
optional, in a ``[cache]`` table::

    [cache]
    directory = "/var/cache/wasmrun"       # absolute; default: the user's cache directory
    files-total-size-soft-limit = "1Gi"     # default 512Mi
    file-count-soft-limit = "10K"           # default 65536
    files-total-size-limit-percent-if-deleting = "70%"
    file-count-limit-percent-if-deleting = "70%"

``enabled = true|false`` (Wasmtime's before version 34) turns the cache on or off.  Wasmtime's other
keys (its worker's: ``cleanup-interval``, ``worker-event-queue-size``, the zstd compression levels, ...)
are checked and accepted, and do nothing here: wasmrun applies the limits at each write, and does not
compress.  An unknown key, a value in the wrong form, a relative directory are errors
(:class:`~wasmrun.errors.CacheConfigError`), as in Wasmtime.  The environment variable
``WASMRUN_CACHE_DIR`` names the directory over all of these (the test suite points it at a temporary one).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from wasmrun.errors import CacheConfigError

APP_NAME = "wasmrun"
CONFIG_FILE_NAME = "config.toml"
DIRECTORY_VARIABLE = "WASMRUN_CACHE_DIR"

MIB = 1 << 20


class CacheSettings(NamedTuple):
    """How the code cache works: on or off, where, and how large it may grow (see the module docstring).

    ``directory`` None is the default one (:func:`default_directory`).  When an entry written makes the
    cache exceed ``total_size_limit`` bytes or ``file_count_limit`` entries, the least recently used
    entries are deleted down to ``*_percent_if_deleting`` percent of the limit.
    """

    enabled: bool = True
    directory: str | None = None
    total_size_limit: int = 512 * MIB
    file_count_limit: int = 65536
    total_size_percent_if_deleting: int = 70
    file_count_percent_if_deleting: int = 70


def default_directory() -> str:
    """The user's cache directory for wasmrun (``~/.cache/wasmrun`` on Linux)."""
    return user_directory("cache")


def default_config_path() -> str:
    """Where ``wasmrun config new`` writes, and where the settings are read from by default
    (``~/.config/wasmrun/config.toml`` on Linux)."""
    return os.path.join(user_directory("config"), CONFIG_FILE_NAME)


_XDG = {"cache": ("XDG_CACHE_HOME", "~/.cache"), "config": ("XDG_CONFIG_HOME", "~/.config")}


def user_directory(kind: str) -> str:
    """The user's ``cache`` or ``config`` directory for wasmrun, as platformdirs gives it.

    On Linux that is the XDG rule (``$XDG_CACHE_HOME`` if it is absolute, else ``~/.cache``), written out
    here because importing platformdirs would cost each run some 7 ms; elsewhere, platformdirs.
    """
    if sys.platform.startswith("linux"):
        variable, fallback = _XDG[kind]
        base = os.environ.get(variable, "")
        return os.path.join(base if os.path.isabs(base) else os.path.expanduser(fallback), APP_NAME)
    import platformdirs

    found = platformdirs.user_cache_dir(APP_NAME) if kind == "cache" else platformdirs.user_config_dir(APP_NAME)
    return str(found)


def load_settings(
    config_file: str | None = None, *, enabled: bool | None = None, environ: Mapping[str, str] = os.environ
) -> CacheSettings:
    """The settings of a run: the configuration file given (it must exist), else the default one if it
    exists; ``enabled`` (``-C cache=y|n``), when given, over the file's; ``WASMRUN_CACHE_DIR`` over
    the file's directory."""
    path = config_file if config_file is not None else default_config_path()
    settings = CacheSettings()
    if config_file is not None or os.path.exists(path):
        settings = read_config(path)
    if enabled is not None:
        settings = settings._replace(enabled=enabled)
    override = environ.get(DIRECTORY_VARIABLE)
    if override:
        settings = settings._replace(directory=os.path.abspath(override))
    return settings


def read_config(path: str) -> CacheSettings:
    """The settings in a Wasmtime cache configuration file (:class:`CacheConfigError` if it is not one)."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise CacheConfigError(f"failed to read config file: {error.strerror or error}") from None
    import tomllib  # only a run with a configuration file pays for the parser

    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CacheConfigError(f"failed to parse config file: {error}") from None
    try:
        return parse_config(document)
    except ValueError as error:
        raise CacheConfigError(f"failed to parse config file: {error}") from None


def parse_config(document: Mapping[str, Any]) -> CacheSettings:
    """The settings of a parsed configuration file; ValueError for what Wasmtime refuses."""
    unknown = sorted(set(document) - {"cache"})
    if unknown:
        raise ValueError(f"unknown section `{unknown[0]}`, expected `cache`")
    table = document.get("cache")
    if not isinstance(table, dict):
        raise ValueError("missing section `cache`")
    settings = CacheSettings()
    for key, value in table.items():
        rule = _KEYS.get(key)
        if rule is None:
            raise ValueError(f"unknown setting `{key}` in [cache], expected one of {', '.join(_KEYS)}")
        field, parse = rule
        try:
            parsed = parse(value)
        except ValueError as error:
            raise ValueError(f"invalid value for `{key}`: {error}") from None
        if field is not None:
            settings = settings._replace(**{field: parsed})
    return settings


# --- Wasmtime's value forms -------------------------------------------------------------------------

_NUMBER_UNIT = re.compile(r"\s*(\d+)\s*(\S*)\s*")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SI_PREFIXES = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15}
_DISK_SPACE_UNITS = {**_SI_PREFIXES, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "Pi": 1 << 50}


def _number_and_unit(value: Any, units: Mapping[str, int], form: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0 and "" in units:
        return value
    match = _NUMBER_UNIT.fullmatch(value) if isinstance(value, str) else None
    if match is None or match.group(2) not in units:
        raise ValueError(f"{value!r} is not of the form {form}")
    return int(match.group(1)) * units[match.group(2)]


def _duration(value: Any) -> int:
    return _number_and_unit(value, _DURATION_UNITS, '"{integer}(s | m | h | d)"')


def _si_prefix(value: Any) -> int:
    return _number_and_unit(value, _SI_PREFIXES, '"{integer}(K | M | G | T | P)?"')


def _disk_space(value: Any) -> int:
    return _number_and_unit(value, _DISK_SPACE_UNITS, '"{integer}(K | Ki | M | Mi | G | Gi | T | Ti | P | Pi)?"')


def _percent(value: Any) -> int:
    match = re.fullmatch(r"\s*(\d+)%\s*", value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) > 100:
        raise ValueError(f'{value!r} is not a percentage of the form "{{integer}}%"')
    return int(match.group(1))


def _compression_level(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 21:
        raise ValueError(f"{value!r} is not a zstd compression level (0 to 21)")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


def _directory(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{value!r} is not a path")
    if not os.path.isabs(value):
        raise ValueError(f"the cache directory path has to be absolute, not {value!r}")
    return value


_KEYS: dict[str, tuple[str | None, Callable[[Any], Any]]] = {
    "enabled": ("enabled", _boolean),
    "directory": ("directory", _directory),
    "worker-event-queue-size": (None, _si_prefix),
    "baseline-compression-level": (None, _compression_level),
    "optimized-compression-level": (None, _compression_level),
    "optimized-compression-usage-counter-threshold": (None, _si_prefix),
    "cleanup-interval": (None, _duration),
    "optimizing-compression-task-timeout": (None, _duration),
    "allowed-clock-drift-for-files-from-future": (None, _duration),
    "file-count-soft-limit": ("file_count_limit", _si_prefix),
    "files-total-size-soft-limit": ("total_size_limit", _disk_space),
    "file-count-limit-percent-if-deleting": ("file_count_percent_if_deleting", _percent),
    "files-total-size-limit-percent-if-deleting": ("total_size_percent_if_deleting", _percent),
}
"""Wasmtime's keys: the setting each sets (None: accepted, checked, no effect here) and its value's form."""


# --- `wasmrun config new` ----------------------------------------------------------------------------

NEW_CONFIG = """\
# Comment out certain settings to use default values.
# For more settings, please refer to the documentation:
# https://bytecodealliance.github.io/wasmtime/cli-cache.html
# (wasmrun reads the same keys: see its docs/cli.md)

[cache]
# directory = "/absolute/path/to/a/cache/directory"
# files-total-size-soft-limit = "512Mi"
# file-count-soft-limit = "65536"
"""


def new_config(path: str | None = None) -> str:
    """Write a new configuration file at ``path`` (default: :func:`default_config_path`); its path.

    An existing file is left alone: :class:`CacheConfigError`, as Wasmtime's ``config new`` fails.
    """
    target = path if path is not None else default_config_path()
    try:
        parent = os.path.dirname(os.path.abspath(target))
        os.makedirs(parent, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise CacheConfigError("configuration file already exists") from None
    except OSError as error:
        raise CacheConfigError(f"failed to create config file: {error.strerror or error}") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(NEW_CONFIG)
    return target
