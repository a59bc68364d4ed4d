"""``wasi:io/error`` and ``wasi:io/streams``: byte streams over stdio and files.

Streams work synchronously: a write is done (and, for stdio, flushed) when the call returns, so
``check-write`` always grants :data:`WRITE_PERMIT` bytes (Wasmtime's figure for files), ``flush``
has nothing left to do and an output stream's pollable is always ready.  A failed write reports
``last-operation-failed`` at once and closes the stream (Wasmtime reports a file's failure from the
next call; the adapter only ever uses ``blocking-write-and-flush``, where both agree).

Reads never take more than :data:`READ_CHUNK` bytes at a time, whatever the guest asks for
(Wasmtime's ``MAX_READ_SIZE_ALLOC``): a stream may return fewer bytes than requested.  End of input
is the ``closed`` error, and every later read says ``closed`` too.

The ``error`` resource wraps the host exception; ``to-debug-string`` shows it as Rust shows an
``io::Error`` (``Broken pipe (os error 32)``) and ``filesystem-error-code`` maps its errno.
"""

from __future__ import annotations

import functools
import os
import select
from collections.abc import Callable
from typing import IO, Any

from wasmrun.component.types import Err, Ok, OwnType, Variant, VariantType
from wasmrun.runtime.interrupt import interruptible
from wasmrun.wasi.files import append_write
from wasmrun.wasi.guest import WasiTrap
from wasmrun.wasi.preview2.poll import POLL, Pollable, fd_ready
from wasmrun.wasi.preview2.wit import Interface

WRITE_PERMIT = 1024 * 1024
READ_CHUNK = 64 * 1024
BLOCKING_WRITE_LIMIT = 4096  # what one blocking-write-and-flush may carry (Wasmtime traps beyond it)

ERROR = Interface("wasi:io", "error")
ErrorType = ERROR.resource("error")

STREAMS = Interface("wasi:io", "streams")
STREAMS.use(ERROR, "error")
STREAMS.use(POLL, "pollable")
STREAM_ERROR = STREAMS.define(
    "stream-error", VariantType((("last-operation-failed", OwnType(ErrorType)), ("closed", None)))
)
InputStreamType = STREAMS.resource("input-stream")
OutputStreamType = STREAMS.resource("output-stream")

CLOSED = Variant("closed", None)


class IoError:
    """What the ``error`` resource represents: the host failure behind a ``last-operation-failed``."""

    __slots__ = ("cause",)

    def __init__(self, cause: BaseException | str) -> None:
        self.cause = cause

    def debug_string(self) -> str:
        cause = self.cause
        if isinstance(cause, OSError) and cause.errno is not None:
            return f"{os.strerror(cause.errno)} (os error {cause.errno})"
        return str(cause)

    def close(self) -> None:
        """Nothing to release."""


class StreamClosed(Exception):
    """The stream is closed (end of input, or a failed output): the ``closed`` stream-error."""


class StreamFailed(Exception):
    """The operation failed: ``last-operation-failed`` with this error."""

    def __init__(self, error: IoError) -> None:
        super().__init__(error.debug_string())
        self.error = error


# -- input streams -------------------------------------------------------------------------------


class InputStream:
    """What ``input-stream`` represents; subclasses say where the bytes come from."""

    ended = False

    def read(self, length: int) -> bytes:
        """Up to ``length`` bytes that are there now (maybe none); StreamClosed at the end."""
        raise NotImplementedError

    def blocking_read(self, length: int) -> bytes:
        """Like :meth:`read`, but waits for at least one byte (unless ``length`` is 0)."""
        return self.read(length)

    def pollable(self) -> Pollable:
        return Pollable()

    def close(self) -> None:
        """Release what the stream owns."""

    def _take(self, data: bytes, length: int) -> bytes:
        if not data and length:
            self.ended = True
            raise StreamClosed
        return data


class HostInput(InputStream):
    """Stdin: a binary file object (not owned, never closed), or None for an empty input.

    A file object with a descriptor is read with ``os.read`` on it, byte for byte as the guest
    asks, and waited for with ``select``; any other (``io.BytesIO``) is read with ``read1``/``read``.
    """

    def __init__(self, source: IO[bytes] | None) -> None:
        self.source = source
        self.fd = _fileno(source)

    def read(self, length: int) -> bytes:
        if self.ended or self.source is None:
            self.ended = True
            raise StreamClosed
        if length == 0:
            return b""
        length = min(length, READ_CHUNK)
        if self.fd is not None:
            if not fd_ready(self.fd):
                return b""
            return self._take(_os_read(self.fd, length), length)
        read = getattr(self.source, "read1", None) or self.source.read
        try:
            data = read(length)
        except OSError as error:
            raise StreamFailed(IoError(error)) from None
        return self._take(data or b"", length)

    def blocking_read(self, length: int) -> bytes:
        if self.fd is not None and length and not self.ended:
            with interruptible():
                while not fd_ready(self.fd):
                    select.select([self.fd], [], [self.fd])
        return self.read(length)

    def pollable(self) -> Pollable:
        return Pollable(fd=self.fd) if self.fd is not None and not self.ended else Pollable()


class FileInput(InputStream):
    """``read-via-stream``: reads at its own position in a file (its own descriptor, a dup)."""

    def __init__(self, fd: int, position: int) -> None:
        self.fd = os.dup(fd)
        self.position = position

    def read(self, length: int) -> bytes:
        if self.ended or self.fd < 0:
            raise StreamClosed
        if length == 0:
            return b""
        length = min(length, READ_CHUNK)
        try:
            data = os.pread(self.fd, length, self.position)
        except InterruptedError:
            return b""
        except OverflowError:
            raise StreamFailed(IoError(OSError(22, os.strerror(22)))) from None
        except OSError as error:
            raise StreamFailed(IoError(error)) from None
        self.position += len(data)
        return self._take(data, length)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _fileno(source: Any) -> int | None:
    try:
        fd = source.fileno() if source is not None else None
    except (AttributeError, OSError, ValueError):
        return None
    return fd if isinstance(fd, int) else None


def _os_read(fd: int, length: int) -> bytes:
    try:
        return os.read(fd, length)
    except (BlockingIOError, InterruptedError):
        return b""
    except OSError as error:
        raise StreamFailed(IoError(error)) from None


# -- output streams ------------------------------------------------------------------------------


class OutputStream:
    """What ``output-stream`` represents; subclasses say where the bytes go."""

    closed = False

    def check_write(self) -> int:
        if self.closed:
            raise StreamClosed
        return WRITE_PERMIT

    def write(self, data: bytes) -> None:
        if self.closed:
            raise StreamClosed
        try:
            self._write(data)
        except OSError as error:
            self.closed = True
            raise StreamFailed(IoError(error)) from None

    def flush(self) -> None:
        if self.closed:
            raise StreamClosed

    def pollable(self) -> Pollable:
        return Pollable()

    def close(self) -> None:
        """Release what the stream owns."""

    def _write(self, data: bytes) -> None:
        raise NotImplementedError


class HostOutput(OutputStream):
    """Stdout or stderr: a binary file object (not owned), flushed after every write; None discards."""

    def __init__(self, sink: IO[bytes] | None) -> None:
        self.sink = sink

    def _write(self, data: bytes) -> None:
        sink = self.sink
        if sink is None or not data:
            return
        view = memoryview(data)
        while view:
            written = sink.write(view)
            view = view[len(view) if written is None else written :]
        sink.flush()


class FileOutput(OutputStream):
    """``write-via-stream`` (at its own position) or ``append-via-stream`` (``position`` None)."""

    def __init__(self, fd: int, position: int | None) -> None:
        self.fd = os.dup(fd)
        self.position = position

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self.position is None:
                written = append_write(self.fd, bytes(view))
            else:
                try:
                    written = os.pwrite(self.fd, view, self.position)
                except OverflowError:
                    raise OSError(22, os.strerror(22)) from None
                self.position += written
            view = view[written:]

    def close(self) -> None:
        self.closed = True
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


# -- the functions ---------------------------------------------------------------------------------


def stream_result(function: Callable[..., Any]) -> Callable[..., Any]:
    """``result<T, stream-error>``: the function's value as Ok, a stream exception as Err."""

    @functools.wraps(function)
    def call(host: Any, *arguments: Any) -> Any:
        try:
            return Ok(function(host, *arguments))
        except StreamClosed:
            return Err(CLOSED)
        except StreamFailed as failure:
            return Err(Variant("last-operation-failed", failure.error))

    return call


@ERROR.function("[method]error.to-debug-string", "func() -> string")
def error_to_debug_string(host: Any, error: IoError) -> str:
    return error.debug_string()


@STREAMS.function("[method]input-stream.read", "func(len: u64) -> result<list<u8>, stream-error>")
@stream_result
def input_stream_read(host: Any, stream: InputStream, length: int) -> bytes:
    return stream.read(length)


@STREAMS.function("[method]input-stream.blocking-read", "func(len: u64) -> result<list<u8>, stream-error>")
@stream_result
def input_stream_blocking_read(host: Any, stream: InputStream, length: int) -> bytes:
    return stream.blocking_read(length)


@STREAMS.function("[method]input-stream.skip", "func(len: u64) -> result<u64, stream-error>")
@stream_result
def input_stream_skip(host: Any, stream: InputStream, length: int) -> int:
    return len(stream.read(length))


@STREAMS.function("[method]input-stream.blocking-skip", "func(len: u64) -> result<u64, stream-error>")
@stream_result
def input_stream_blocking_skip(host: Any, stream: InputStream, length: int) -> int:
    return len(stream.blocking_read(length))


@STREAMS.function("[method]input-stream.subscribe", "func() -> pollable")
def input_stream_subscribe(host: Any, stream: InputStream) -> Pollable:
    return stream.pollable()


@STREAMS.function("[method]output-stream.check-write", "func() -> result<u64, stream-error>")
@stream_result
def output_stream_check_write(host: Any, stream: OutputStream) -> int:
    return stream.check_write()


@STREAMS.function("[method]output-stream.write", "func(contents: list<u8>) -> result<_, stream-error>")
@stream_result
def output_stream_write(host: Any, stream: OutputStream, contents: bytes) -> None:
    stream.write(bytes(contents))


@STREAMS.function(
    "[method]output-stream.blocking-write-and-flush", "func(contents: list<u8>) -> result<_, stream-error>"
)
@stream_result
def output_stream_blocking_write_and_flush(host: Any, stream: OutputStream, contents: bytes) -> None:
    if len(contents) > BLOCKING_WRITE_LIMIT:
        raise WasiTrap(f"Buffer too large for blocking-write-and-flush (expected at most {BLOCKING_WRITE_LIMIT})")
    stream.write(bytes(contents))
    stream.flush()


@STREAMS.function("[method]output-stream.flush", "func() -> result<_, stream-error>")
@stream_result
def output_stream_flush(host: Any, stream: OutputStream) -> None:
    stream.flush()


@STREAMS.function("[method]output-stream.blocking-flush", "func() -> result<_, stream-error>")
@stream_result
def output_stream_blocking_flush(host: Any, stream: OutputStream) -> None:
    stream.flush()


@STREAMS.function("[method]output-stream.subscribe", "func() -> pollable")
def output_stream_subscribe(host: Any, stream: OutputStream) -> Pollable:
    return stream.pollable()


@STREAMS.function("[method]output-stream.write-zeroes", "func(len: u64) -> result<_, stream-error>")
@stream_result
def output_stream_write_zeroes(host: Any, stream: OutputStream, length: int) -> None:
    permit = stream.check_write()
    if length > permit:  # the guest broke check-write's contract; refuse before allocating
        raise WasiTrap(f"write-zeroes of {length} bytes exceeds the permitted {permit}")
    stream.write(bytes(length))


@STREAMS.function("[method]output-stream.blocking-write-zeroes-and-flush", "func(len: u64) -> result<_, stream-error>")
@stream_result
def output_stream_blocking_write_zeroes_and_flush(host: Any, stream: OutputStream, length: int) -> None:
    if length > BLOCKING_WRITE_LIMIT:
        raise WasiTrap(
            f"Buffer too large for blocking-write-zeroes-and-flush (expected at most {BLOCKING_WRITE_LIMIT})"
        )
    stream.write(bytes(length))
    stream.flush()


@STREAMS.function(
    "[method]output-stream.splice", "func(src: borrow<input-stream>, len: u64) -> result<u64, stream-error>"
)
@stream_result
def output_stream_splice(host: Any, stream: OutputStream, source: InputStream, length: int) -> int:
    data = source.read(min(length, stream.check_write()))
    stream.write(data)
    return len(data)


@STREAMS.function(
    "[method]output-stream.blocking-splice",
    "func(src: borrow<input-stream>, len: u64) -> result<u64, stream-error>",
)
@stream_result
def output_stream_blocking_splice(host: Any, stream: OutputStream, source: InputStream, length: int) -> int:
    data = source.blocking_read(min(length, stream.check_write()))
    stream.write(data)
    stream.flush()
    return len(data)
