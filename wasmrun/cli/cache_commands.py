"""``wasmrun cache dir|stats|clear`` and ``wasmrun config new [PATH]``: the code cache seen from the command line.

``config new`` writes Wasmtime's cache configuration file (:func:`wasmrun.cache.settings.new_config`)
and says where, in Wasmtime's words; an existing file is left alone (exit status 1).  The ``cache``
commands find the directory as a run does (``--cache-config FILE``, else the default configuration
file, and ``WASMRUN_CACHE_DIR`` over both): ``dir`` prints it, ``stats`` what it holds and its limits,
``clear`` deletes its entries (the secret key stays).
"""

from __future__ import annotations

import os
import sys

from wasmrun.cli.errors import EXIT_SUCCESS, CliError
from wasmrun.cli.loading import cache_settings
from wasmrun.errors import WasmError


def config_new_command(path: str | None) -> int:
    from wasmrun.cache.settings import default_config_path, new_config

    try:
        written = new_config(path)
    except WasmError as error:
        raise CliError(error.message, path if path is not None else default_config_path()) from error
    sys.stdout.write(f"Successfully created a new configuration file at '{written}'.\n")
    return EXIT_SUCCESS


def cache_command(action: str, config_file: str | None) -> int:
    from wasmrun.cache.directory import CacheDirectory, UnusableDirectory
    from wasmrun.cache.settings import default_directory

    settings = cache_settings(config_file)
    path = settings.directory or default_directory()
    directory = CacheDirectory(path)
    if action == "dir":
        lines = [path]
    elif action == "stats":
        usage = directory.usage()
        lines = [
            f"directory: {path}",
            f"enabled: {'yes' if settings.enabled else 'no'}",
            f"entries: {usage.entries}",
            f"size: {_size(usage.size)}",
            f"entry limit: {settings.file_count_limit}",
            f"size limit: {_size(settings.total_size_limit)}",
        ]
    elif action == "clear":
        try:
            if os.path.lexists(path):  # (no directory: nothing to clear)
                directory.open(create=False)
            deleted = directory.clear()
        except UnusableDirectory as reason:
            raise CliError(f"cannot clear the code cache: {reason}", path) from None
        lines = [f"removed {deleted.entries} entries ({_size(deleted.size)}) from {path}"]
    else:
        raise ValueError(f"unknown cache command {action!r}")
    sys.stdout.write("".join(line + "\n" for line in lines))
    return EXIT_SUCCESS


def _size(size: int) -> str:
    """``1,234,567 bytes (1.2 MiB)``."""
    return f"{size:,} bytes ({size / (1 << 20):.1f} MiB)"
