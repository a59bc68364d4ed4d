"""Run a WASI command in Wasmtime (wasmtime-py) as ``wasmtime run --dir . MODULE ARGS`` runs it.

``python benchmarks/wasmtime_command.py [--cache-dir DIR] [--fuel FILE] [--argv0 NAME] MODULE [ARG ...]``

The programs section of ``python -m benchmarks`` runs this file as a child process, beside
``wasmrun run`` for the same program, so that both are whole processes measured alike (time,
peak memory).  The current directory is preopened as ``.``; standard input, output and error
are the process's.  ``--cache-dir DIR`` gives Wasmtime its own code cache in DIR (a warm start
is a second run with the same DIR); ``--fuel FILE`` meters fuel and writes the instructions
executed (Wasmtime's fuel consumed) to FILE.  The exit status is the program's, 134 for a trap
(as ``wasmtime run``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import wasmtime

FUEL = 1 << 62
TRAP_STATUS = 134


def make_config(cache_dir: Path | None, fuel: bool) -> wasmtime.Config:
    config = wasmtime.Config()
    config.consume_fuel = fuel
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        settings = cache_dir / "cache.toml"
        directory = json.dumps(str(cache_dir / "code"))  # a TOML basic string
        try:
            settings.write_text(f"[cache]\ndirectory = {directory}\n")
            config.cache = str(settings)
        except wasmtime.WasmtimeError:  # Wasmtime before 33 wants the cache enabled in so many words
            settings.write_text(f"[cache]\nenabled = true\ndirectory = {directory}\n")
            config.cache = str(settings)
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path)
    parser.add_argument("--fuel", type=Path, metavar="FILE")
    parser.add_argument("--argv0")
    parser.add_argument("module", type=Path)
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()

    engine = wasmtime.Engine(make_config(options.cache_dir, options.fuel is not None))
    module = wasmtime.Module.from_file(engine, str(options.module))
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [options.argv0 or options.module.name, *options.args]
    wasi.preopen_dir(".", ".")
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    if options.fuel is not None:
        store.set_fuel(FUEL)
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    assert isinstance(start, wasmtime.Func)
    status = 0
    try:
        start(store)
    except wasmtime.ExitTrap as exit:
        status = exit.code
    except wasmtime.Trap as trap:
        print(f"Error: {trap}", file=sys.stderr)
        status = TRAP_STATUS
    if options.fuel is not None:
        options.fuel.write_text(f"{FUEL - store.get_fuel()}\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
