"""What an embedder configures a WASI 0.2 guest with: :class:`WasiConfig` (wasmtime-py's names).

A configuration is a plain record until :meth:`WasiConfig.open` makes the WASI 0.2 host of it
(:class:`~wasmrun.wasi.preview2.WasiHost`), opening its files and preopened directories; the
:class:`~wasmrun.embedding.Store` does that in ``store.set_wasi(config)`` and closes them with
itself.  By default a guest has no arguments, no environment, an empty stdin, and its stdout and
stderr go nowhere, as in Wasmtime.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wasmrun.wasi.preview2.host import WasiHost

PathLike = str | bytes | os.PathLike[str]


class _ProcessOutput:
    """The process's stdout or stderr as it is when the guest writes (``sys.stdout`` may be replaced).

    The text layer is flushed before each write, so the guest's bytes and the host's ``print`` come
    out in the order they were made.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def write(self, data: bytes) -> int:
        stream = getattr(sys, self.name)
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(bytes(data).decode("utf-8", "replace"))
        else:
            buffer.write(data)
        return len(data)

    def flush(self) -> None:
        getattr(sys, self.name).flush()

    def isatty(self) -> bool:
        stream = getattr(sys, self.name)
        return bool(getattr(stream, "isatty", lambda: False)())


class _Callback:
    """An output calling ``callback`` with each chunk of bytes the guest writes."""

    def __init__(self, callback: Callable[[bytes], object]) -> None:
        self.callback = callback

    def write(self, data: bytes) -> int:
        self.callback(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered."""


# Where a stream comes from: ("none",), ("file", path), ("bytes", data), ("inherit",), ("custom", callback),
# ("stream", file object).
_Source = tuple[Any, ...]


class OpenedWasi:
    """A configuration made into a host: the :class:`WasiHost` and the files opened for it."""

    def __init__(self, host: WasiHost, files: list[IO[bytes]]) -> None:
        self.host = host
        self.files = files

    def close(self) -> None:
        """Close the host's preopened directories and the files opened for its stdio (idempotent)."""
        self.host.close()
        while self.files:
            self.files.pop().close()


class WasiConfig:
    """The WASI 0.2 world of a guest: argv, environment, stdio, preopened directories.

    ``argv`` is the whole argument list, argv[0] included; ``env`` the environment, (name, value)
    pairs in order (a mapping may be assigned).  The stdio streams are each set by one call: a file
    (``stdin_file``, ``stdout_file``, ``stderr_file``, paths, the output ones created or truncated),
    the process's own (``inherit_stdin()`` ...), bytes for stdin (``stdin_bytes``), a callback
    receiving each chunk of output (``stdout_custom``, ``stderr_custom``), or any binary file
    object (``stdin``, ``stdout``, ``stderr``).  :meth:`preopen_dir` maps a host directory to a
    guest path.
    """

    def __init__(self) -> None:
        self._argv: list[str] = []
        self._env: list[tuple[str, str]] = []
        self._streams: dict[str, _Source] = {"stdin": ("none",), "stdout": ("none",), "stderr": ("none",)}
        self.preopens: list[tuple[PathLike, str, bool]] = []

    # -- arguments and environment -----------------------------------------------------------------

    @property
    def argv(self) -> list[str]:
        return list(self._argv)

    @argv.setter
    def argv(self, argv: Iterable[str]) -> None:
        if isinstance(argv, str | bytes):
            raise TypeError("argv is a list of strings, not one string")
        self._argv = [_text(argument, "an argument") for argument in argv]

    def inherit_argv(self) -> None:
        """The process's own arguments (``sys.argv``)."""
        self.argv = sys.argv

    @property
    def env(self) -> list[tuple[str, str]]:
        return list(self._env)

    @env.setter
    def env(self, pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        self._env = [(_text(name, "a variable name"), _text(value, "a variable's value")) for name, value in items]

    def inherit_env(self) -> None:
        """The process's own environment (``os.environ``)."""
        self.env = os.environ

    # -- stdio ---------------------------------------------------------------------------------------

    def _set(self, name: str, source: _Source) -> None:
        self._streams[name] = source

    def _get(self, name: str, kind: str) -> Any:
        source = self._streams[name]
        return source[1] if source[0] == kind else None

    @property
    def stdin_file(self) -> PathLike | None:
        """A file stdin is read from."""
        return self._get("stdin", "file")

    @stdin_file.setter
    def stdin_file(self, path: PathLike) -> None:
        self._set("stdin", ("file", path))

    @property
    def stdin_bytes(self) -> bytes | None:
        """What stdin holds, as bytes."""
        return self._get("stdin", "bytes")

    @stdin_bytes.setter
    def stdin_bytes(self, data: bytes | bytearray | memoryview) -> None:
        self._set("stdin", ("bytes", bytes(data)))

    @property
    def stdin(self) -> IO[bytes] | None:
        """A binary file object stdin is read from (not closed)."""
        return self._get("stdin", "stream")

    @stdin.setter
    def stdin(self, file: IO[bytes]) -> None:
        self._set("stdin", ("stream", file))

    @property
    def stdout_file(self) -> PathLike | None:
        """A file stdout is written to (created or truncated)."""
        return self._get("stdout", "file")

    @stdout_file.setter
    def stdout_file(self, path: PathLike) -> None:
        self._set("stdout", ("file", path))

    @property
    def stdout_custom(self) -> Callable[[bytes], object] | None:
        """A callable given each chunk of bytes written to stdout."""
        return self._get("stdout", "custom")

    @stdout_custom.setter
    def stdout_custom(self, callback: Callable[[bytes], object]) -> None:
        self._set("stdout", ("custom", _callable(callback)))

    @property
    def stdout(self) -> IO[bytes] | None:
        """A binary file object stdout is written to (flushed after each write, not closed)."""
        return self._get("stdout", "stream")

    @stdout.setter
    def stdout(self, file: IO[bytes]) -> None:
        self._set("stdout", ("stream", file))

    @property
    def stderr_file(self) -> PathLike | None:
        """A file stderr is written to (created or truncated)."""
        return self._get("stderr", "file")

    @stderr_file.setter
    def stderr_file(self, path: PathLike) -> None:
        self._set("stderr", ("file", path))

    @property
    def stderr_custom(self) -> Callable[[bytes], object] | None:
        """A callable given each chunk of bytes written to stderr."""
        return self._get("stderr", "custom")

    @stderr_custom.setter
    def stderr_custom(self, callback: Callable[[bytes], object]) -> None:
        self._set("stderr", ("custom", _callable(callback)))

    @property
    def stderr(self) -> IO[bytes] | None:
        """A binary file object stderr is written to (flushed after each write, not closed)."""
        return self._get("stderr", "stream")

    @stderr.setter
    def stderr(self, file: IO[bytes]) -> None:
        self._set("stderr", ("stream", file))

    def inherit_stdin(self) -> None:
        """The process's stdin."""
        self._set("stdin", ("inherit",))

    def inherit_stdout(self) -> None:
        """The process's stdout (``sys.stdout``, in order with what the host prints)."""
        self._set("stdout", ("inherit",))

    def inherit_stderr(self) -> None:
        """The process's stderr (``sys.stderr``)."""
        self._set("stderr", ("inherit",))

    # -- directories ---------------------------------------------------------------------------------

    def preopen_dir(self, path: PathLike, guest_path: str, fs_mutable: bool = True) -> None:
        """Let the guest reach the host directory ``path`` as ``guest_path`` (read only unless ``fs_mutable``)."""
        self.preopens.append((path, _text(guest_path, "a guest path"), not fs_mutable))

    def stdio_source(self, name: str) -> tuple[Any, ...]:
        """Where the stream ``name`` (stdin, stdout, stderr) comes from: ``("none",)``, ``("file", path)``,
        ``("bytes", data)``, ``("inherit",)``, ``("custom", callback)`` or ``("stream", file object)``."""
        return self._streams[name]

    # -- the host ------------------------------------------------------------------------------------

    def open(self) -> OpenedWasi:
        """The WASI 0.2 host of this configuration; OSError if a file or directory cannot be opened."""
        from wasmrun.wasi.preview2.host import Preopen, WasiHost

        files: list[IO[bytes]] = []
        try:
            stdin = _open_input(self._streams["stdin"], files)
            stdout = _open_output("stdout", self._streams["stdout"], files)
            stderr = _open_output("stderr", self._streams["stderr"], files)
            host = WasiHost(
                arguments=self._argv,
                environment=self._env,
                preopens=[Preopen(path, guest, read_only) for path, guest, read_only in self.preopens],
                stdin=stdin,
                stdout=stdout,
                stderr=stderr,
            )
        except BaseException:
            for file in files:
                file.close()
            raise
        return OpenedWasi(host, files)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a str for {what}, got {type(value).__name__} {value!r}")
    return value


def _callable(callback: Any) -> Any:
    if not callable(callback):
        raise TypeError(f"expected a callable taking bytes, got {type(callback).__name__} {callback!r}")
    return callback


def _open_input(source: _Source, files: list[IO[bytes]]) -> Any:
    import io

    kind = source[0]
    if kind == "file":
        file = open(source[1], "rb")  # noqa: SIM115 (closed with the host)
        files.append(file)
        return file
    if kind == "bytes":
        return io.BytesIO(source[1])
    if kind == "inherit":
        return getattr(sys.stdin, "buffer", sys.stdin)
    if kind == "stream":
        return source[1]
    return None


def _open_output(name: str, source: _Source, files: list[IO[bytes]]) -> Any:
    kind = source[0]
    if kind == "file":
        file = open(source[1], "wb")  # noqa: SIM115 (closed with the host)
        files.append(file)
        return file
    if kind == "custom":
        return _Callback(source[1])
    if kind == "inherit":
        return _ProcessOutput(name)
    if kind == "stream":
        return source[1]
    return None
