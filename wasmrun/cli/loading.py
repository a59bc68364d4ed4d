"""What ``run`` runs: the module or the component in the file, the module from the code cache when it can be.

:func:`loaded_program` reads the MODULE argument and gives, for the length of the run:

* a precompiled module (``wasmrun compile``'s ``.cwasm``, told by its first bytes) with its code, if
  ``--allow-precompiled`` allows it (else Wasmtime's error, exit status 1);
* a component, loaded as it is (the code cache keeps core modules only);
* a core module, through the code cache (:func:`wasmrun.cache.code_cache.cached_module`) unless it is
  off (``-C cache=n``, ``--no-cache``, ``enabled = false`` in its configuration file): decoded and
  validated only when the cache does not have it, and what the run translates and compiles written
  back after it.

A failure of the front end is raised as :class:`~wasmrun.cli.errors.InputError` (the file named as
given); a cache configuration file that cannot be used is a :class:`~wasmrun.cli.errors.CliError`
naming that file; a cache directory that cannot be used is one warning on stderr, and the run goes on.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from wasmrun.cli.errors import CliError, InputError
from wasmrun.cli.source import STDIN, display_name, is_component_source, load_component, read_input_status
from wasmrun.errors import WasmError

if TYPE_CHECKING:
    from wasmrun.cache.code_cache import CodeCache
    from wasmrun.cache.settings import CacheSettings
    from wasmrun.component.records import Component
    from wasmrun.engine.code_store import CodeStore
    from wasmrun.launch import RunConfig
    from wasmrun.module import Module

PRECOMPILED_NEEDS_FLAG = "running a precompiled module requires the `--allow-precompiled` flag"


class LoadedProgram(NamedTuple):
    """A program to run and, for a core module, the code store its run reads and adds to (None: no cache)."""

    program: Module | Component
    code_store: CodeStore | None


def warn(message: str) -> None:
    """A warning of wasmrun's own: one line on stderr."""
    sys.stderr.write(f"warning: {message}\n")
    sys.stderr.flush()


@contextlib.contextmanager
def loaded_program(config: RunConfig) -> Iterator[LoadedProgram]:
    """The program ``config.module`` holds, for the length of a run (see the module docstring)."""
    from wasmrun.cache import is_entry

    source = display_name(config.module)
    if _precompiled_file(config.module):
        with _precompiled(config, source) as loaded:
            yield loaded
        return
    data, status = read_input_status(config.module)
    if is_entry(data):  # (a precompiled module given on stdin)
        with _precompiled(config, source, data) as loaded:
            yield loaded
        return
    if is_component_source(data):
        try:
            component = load_component(data, features=config.features)
        except WasmError as error:
            raise InputError(error, source) from error
        yield LoadedProgram(component, None)
        return
    from wasmrun.loader import load_module

    def load() -> Module:
        try:
            return load_module(data, features=config.features, parallel=config.parallel_compilation)
        except WasmError as error:
            raise InputError(error, source) from error

    cache = code_cache(config)
    if cache is None:
        yield LoadedProgram(load(), None)
        return
    from wasmrun.cache.code_cache import FileIdentity, cached_module

    identity = FileIdentity.of(config.module, status) if status is not None else None
    with cached_module(cache, data, config.features, config.engine_options, load, identity) as cached:
        yield LoadedProgram(cached.module, cached.code_store)


def _precompiled_file(path: str) -> bool:
    """Whether ``path`` is a file that starts as a precompiled module does (read lazily, not whole)."""
    from wasmrun.cache import MAGIC

    if path == STDIN:
        return False
    try:
        with open(path, "rb") as file:
            return file.read(len(MAGIC)) == MAGIC
    except OSError:
        return False  # (read_input reports it)


@contextlib.contextmanager
def _precompiled(config: RunConfig, source: str, data: bytes | None = None) -> Iterator[LoadedProgram]:
    """A precompiled module (from ``data``, else read from its file as its code is used), if allowed."""
    if not config.allow_precompiled:
        raise CliError(PRECOMPILED_NEEDS_FLAG, source)
    from wasmrun.cache.entry import Source
    from wasmrun.cache.precompiled import load_precompiled

    try:
        entry = (
            Source(data) if data is not None else Source.from_file(os.open(config.module, os.O_RDONLY | os.O_CLOEXEC))
        )
    except OSError as error:
        raise InputError(error, source) from error
    try:
        try:
            module, store = load_precompiled(entry, config.features, config.engine_options)
        except WasmError as error:
            raise InputError(error, source) from error
        yield LoadedProgram(module, store)
    finally:
        entry.close()


def code_cache(config: RunConfig) -> CodeCache | None:
    """The code cache of a run, or None when it is off (then nothing more of the cache is imported)."""
    settings = cache_settings(config.cache_config, enabled=config.cache)
    if not settings.enabled:
        return None
    from wasmrun.cache.code_cache import CodeCache

    return CodeCache(settings, warn)


def cache_settings(config_file: str | None, *, enabled: bool | None = None) -> CacheSettings:
    """The cache's settings (:func:`wasmrun.cache.settings.load_settings`); a bad configuration file is
    a CliError naming it."""
    from wasmrun.cache.settings import default_config_path, load_settings

    try:
        return load_settings(config_file, enabled=enabled)
    except WasmError as error:
        raise CliError(error.message, config_file if config_file is not None else default_config_path()) from error
