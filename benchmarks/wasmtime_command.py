"""Run a WASI command in Wasmtime (wasmtime-py) as ``wasmtime run --dir . MODULE ARGS`` runs it.

``python benchmarks/wasmtime_command.py [--cache-dir DIR] [--fuel FILE] [--argv0 NAME] [-W KEY ...]
[--dir HOST::GUEST ...] [--env NAME=VALUE ...] [--invoke NAME] MODULE [ARG ...]``

The programs section of ``python -m benchmarks`` runs this file as a child process, beside
``wasmrun run`` for the same program, so that both are whole processes measured alike (time,
peak memory).  The current directory is preopened as ``.``; standard input, output and error
are the process's.  ``--cache-dir DIR`` gives Wasmtime its own code cache in DIR (a warm start
is a second run with the same DIR); ``--fuel FILE`` meters fuel and writes the instructions
executed (Wasmtime's fuel consumed) to FILE.  ``-W``, ``--dir``, ``--env`` and ``--invoke`` are
``wasmtime run``'s: ``-W exceptions`` and ``-W unknown-imports-trap`` (the only keys taken),
more preopened directories, the guest's variables, and a reactor's export to call (after its
``_initialize``) instead of ``_start``, its results printed one a line.  The exit status is the
program's, 134 for a trap (as ``wasmtime run``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import wasmtime

FUEL = 1 << 62
TRAP_STATUS = 134


FLAGS = ("exceptions", "unknown-imports-trap")  # the -W keys taken, each on (KEY or KEY=y) or off (KEY=n)


def make_config(cache_dir: Path | None, fuel: bool, exceptions: bool = False) -> wasmtime.Config:
    config = wasmtime.Config()
    config.consume_fuel = fuel
    if exceptions:
        config.wasm_exceptions = True
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


def wasm_flags(parser: argparse.ArgumentParser, keys: list[str]) -> set[str]:
    """The ``-W`` keys that are on; anything but :data:`FLAGS` is a usage error."""
    on: set[str] = set()
    for key in keys:
        name, _, value = key.partition("=")
        if name not in FLAGS or value not in ("", "y", "n"):
            parser.error(f"-W {key}: this runner takes only {', '.join(FLAGS)} (=y or =n)")
        (on.discard if value == "n" else on.add)(name)
    return on


def mapping(text: str) -> tuple[str, str]:
    """``--dir HOST::GUEST`` (or ``HOST``, seen at the same path)."""
    host, _, guest = text.partition("::")
    return host, guest or host


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path)
    parser.add_argument("--fuel", type=Path, metavar="FILE")
    parser.add_argument("--argv0")
    parser.add_argument("-W", "--wasm", action="append", default=[], metavar="KEY")
    parser.add_argument("--dir", action="append", default=[], metavar="HOST::GUEST")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--invoke", metavar="NAME")
    parser.add_argument("module", type=Path)
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    flags = wasm_flags(parser, options.wasm)

    engine = wasmtime.Engine(make_config(options.cache_dir, options.fuel is not None, "exceptions" in flags))
    module = wasmtime.Module.from_file(engine, str(options.module))
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [options.argv0 or options.module.name, *options.args]
    wasi.preopen_dir(".", ".")
    for text in options.dir:
        wasi.preopen_dir(*mapping(text))
    wasi.env = [text.partition("=")[::2] for text in options.env]
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    if "unknown-imports-trap" in flags:
        linker.define_unknown_imports_as_traps(module)
    if options.fuel is not None:
        store.set_fuel(FUEL)
    status = 0
    try:
        instance = linker.instantiate(store, module)
        if options.invoke is None:
            start = instance.exports(store)["_start"]
            assert isinstance(start, wasmtime.Func)
            start(store)
        else:
            status = invoke(store, instance, options.invoke)
    except wasmtime.ExitTrap as exit:
        status = exit.code
    except wasmtime.Trap as trap:
        print(f"Error: {trap}", file=sys.stderr)
        status = TRAP_STATUS
    if options.fuel is not None:
        options.fuel.write_text(f"{FUEL - store.get_fuel()}\n")
    return status


def invoke(store: wasmtime.Store, instance: wasmtime.Instance, name: str) -> int:
    """A reactor's run: ``_initialize`` if it has one, then ``name`` without arguments, its results printed."""
    exports = instance.exports(store)
    initialize = exports.get("_initialize")
    if isinstance(initialize, wasmtime.Func):
        initialize(store)
    function = exports.get(name)
    if not isinstance(function, wasmtime.Func):
        print(f"Error: the module exports no function {name}", file=sys.stderr)
        return 1
    results = function(store)
    for value in results if isinstance(results, list) else [] if results is None else [results]:
        print(value)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
