"""``wasi:filesystem/types`` and ``wasi:filesystem/preopens``: descriptors beneath preopened directories.

Every path is resolved by the sandbox preview1 uses (:mod:`wasmrun.wasi.sandbox`): one component at a
time beneath the descriptor's directory, so ``..`` above it, absolute paths and symbolic links that
lead outside are ``not-permitted`` and nothing outside is ever touched.  What each method checks, and
in which order, is Wasmtime's:

- a method on directories called on a file is ``not-directory``, one on files called on a directory
  ``bad-descriptor``;
- permissions: a preopen grants reading and mutating the directory and reading and writing its files
  (``read_only`` only the reading); mutating without them is ``not-permitted``; ``read-via-stream``
  and ``write-via-stream`` without them are ``bad-descriptor``;
- ``open-at`` opens for writing with ``write``, ``create`` or ``truncate``, and for reading with
  ``read`` or whenever ``write`` is absent; the sync flags are ``unsupported``; ``directory`` with
  ``create``, ``exclusive`` or ``truncate`` is ``invalid``;
- ``descriptor-stat``'s ``status-change-timestamp`` is the birth time (Wasmtime reports
  ``created()``), none where the file system keeps none; FIFOs and sockets are ``unknown``;
- ``metadata-hash`` is preview1's inode hash (SipHash-1-3 of device and inode) and, for ``upper``,
  that hash xor Wasmtime's constant;
- ``read-directory`` lists the directory at once, in the host's order, without ``.`` and ``..``;
  an entry whose name is not UTF-8 is an ``illegal-byte-sequence`` in its place;
- ``read`` returns at most 64 KiB, and end of file only when it read nothing.

Host errors become error codes by Wasmtime's table (:func:`error_code`): any errno it does not
name is ``io``.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wasmrun.component.types import (
    EnumType,
    Err,
    FlagsType,
    Ok,
    OptionType,
    Primitive,
    RecordType,
    Variant,
    VariantType,
)
from wasmrun.wasi.metadata import HostStat, inode, stat_fd
from wasmrun.wasi.preview2.clocks import DATETIME, NANOS, WALL_CLOCK
from wasmrun.wasi.preview2.streams import READ_CHUNK, STREAMS, FileInput, FileOutput, IoError
from wasmrun.wasi.preview2.wit import Interface
from wasmrun.wasi.sandbox import (
    escape,
    open_beneath,
    parent_of,
    set_times_beneath,
    stat_beneath,
    strip_directory_suffix,
)
from wasmrun.wasi.times import NewTime, set_times_at, set_times_fd

if TYPE_CHECKING:
    from wasmrun.wasi.preview2.host import WasiHost

TYPES = Interface("wasi:filesystem", "types")
TYPES.use(STREAMS, "input-stream", "output-stream", "error")
TYPES.use(WALL_CLOCK, "datetime")
TYPES.define("filesize", Primitive.U64)
TYPES.define("link-count", Primitive.U64)
DESCRIPTOR_TYPE = TYPES.define(
    "descriptor-type",
    EnumType(
        (
            "unknown",
            "block-device",
            "character-device",
            "directory",
            "fifo",
            "symbolic-link",
            "regular-file",
            "socket",
        )
    ),
)
TYPES.define(
    "descriptor-flags",
    FlagsType(
        (
            "read",
            "write",
            "file-integrity-sync",
            "data-integrity-sync",
            "requested-write-sync",
            "mutate-directory",
        )
    ),
)
TYPES.define("path-flags", FlagsType(("symlink-follow",)))
TYPES.define("open-flags", FlagsType(("create", "directory", "exclusive", "truncate")))
TYPES.define(
    "descriptor-stat",
    RecordType(
        (
            ("type", DESCRIPTOR_TYPE),
            ("link-count", Primitive.U64),
            ("size", Primitive.U64),
            ("data-access-timestamp", OptionType(DATETIME)),
            ("data-modification-timestamp", OptionType(DATETIME)),
            ("status-change-timestamp", OptionType(DATETIME)),
        )
    ),
)
TYPES.define("new-timestamp", VariantType((("no-change", None), ("now", None), ("timestamp", DATETIME))))
TYPES.define("directory-entry", RecordType((("type", DESCRIPTOR_TYPE), ("name", Primitive.STRING))))
ERROR_CODES = (
    "access",
    "would-block",
    "already",
    "bad-descriptor",
    "busy",
    "deadlock",
    "quota",
    "exist",
    "file-too-large",
    "illegal-byte-sequence",
    "in-progress",
    "interrupted",
    "invalid",
    "io",
    "is-directory",
    "loop",
    "too-many-links",
    "message-size",
    "name-too-long",
    "no-device",
    "no-entry",
    "no-lock",
    "insufficient-memory",
    "insufficient-space",
    "not-directory",
    "not-empty",
    "not-recoverable",
    "unsupported",
    "no-tty",
    "no-such-device",
    "overflow",
    "not-permitted",
    "pipe",
    "read-only",
    "invalid-seek",
    "text-file-busy",
    "cross-device",
)
TYPES.define("error-code", EnumType(ERROR_CODES))
ADVICE = ("normal", "sequential", "random", "will-need", "dont-need", "no-reuse")
TYPES.define("advice", EnumType(ADVICE))
TYPES.define("metadata-hash-value", RecordType((("lower", Primitive.U64), ("upper", Primitive.U64))))
DescriptorType = TYPES.resource("descriptor")
DirectoryEntryStreamType = TYPES.resource("directory-entry-stream")

PREOPENS = Interface("wasi:filesystem", "preopens")
PREOPENS.use(TYPES, "descriptor")

# Wasmtime's errno -> error-code table; any other errno is `io`.
_ERROR_CODES: dict[int, str] = {
    errno.EPIPE: "pipe",
    errno.EPERM: "not-permitted",
    errno.ENOENT: "no-entry",
    errno.ENOMEM: "insufficient-memory",
    errno.EIO: "io",
    errno.EBADF: "bad-descriptor",
    errno.EBUSY: "busy",
    errno.EACCES: "access",
    errno.ENOTDIR: "not-directory",
    errno.EISDIR: "is-directory",
    errno.EINVAL: "invalid",
    errno.EEXIST: "exist",
    errno.EFBIG: "file-too-large",
    errno.ENOSPC: "insufficient-space",
    errno.ESPIPE: "invalid-seek",
    errno.EMLINK: "too-many-links",
    errno.ENAMETOOLONG: "name-too-long",
    errno.ENOTEMPTY: "not-empty",
    errno.ELOOP: "loop",
    errno.EOVERFLOW: "overflow",
    errno.EILSEQ: "illegal-byte-sequence",
    errno.ENOTSUP: "unsupported",
    errno.EOPNOTSUPP: "unsupported",
    errno.EALREADY: "already",
    errno.EINPROGRESS: "in-progress",
    errno.EINTR: "interrupted",
}
_ADVICE = {
    "normal": os.POSIX_FADV_NORMAL,
    "sequential": os.POSIX_FADV_SEQUENTIAL,
    "random": os.POSIX_FADV_RANDOM,
    "will-need": os.POSIX_FADV_WILLNEED,
    "dont-need": os.POSIX_FADV_DONTNEED,
    "no-reuse": os.POSIX_FADV_NOREUSE,
}
_SYNC_FLAGS = frozenset(("file-integrity-sync", "data-integrity-sync", "requested-write-sync"))
_UPPER_HASH_KEY = 4614256656552045848  # Wasmtime's: the bits of the f64 nearest pi
_MAX_OFFSET = (1 << 63) - 1  # the host's off_t
_MAX_SECONDS = (1 << 63) - 1  # the host's time_t


def error_code(error: OSError) -> str:
    """The ``error-code`` a host error reaches the guest as (Wasmtime's table)."""
    return _ERROR_CODES.get(error.errno, "io") if error.errno is not None else "io"


class FilesystemError(Exception):
    """The method's result is ``err(code)``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def filesystem_result(function: Callable[..., Any]) -> Callable[..., Any]:
    """``result<T, error-code>``: the function's value as Ok, a host or filesystem error as Err."""

    @functools.wraps(function)
    def call(host: Any, *arguments: Any) -> Any:
        try:
            return Ok(function(host, *arguments))
        except FilesystemError as failure:
            return Err(failure.code)
        except OSError as error:
            return Err(error_code(error))

    return call


@dataclass(frozen=True, slots=True)
class Permissions:
    """What a preopen, and every descriptor opened beneath it, lets the guest do (Wasmtime's perms)."""

    directory_read: bool = True
    directory_mutate: bool = True
    file_read: bool = True
    file_write: bool = True

    @classmethod
    def for_preopen(cls, read_only: bool) -> Permissions:
        return cls(True, not read_only, True, not read_only)


class Descriptor:
    """What ``descriptor`` represents: an open host file or directory (owned, closed on drop).

    ``opened_read``/``opened_write`` are what the guest asked for (``get-flags`` reports them).
    """

    __slots__ = ("directory", "host_fd", "opened_read", "opened_write", "permissions")

    def __init__(
        self, host_fd: int, *, directory: bool, permissions: Permissions, opened_read: bool, opened_write: bool
    ) -> None:
        self.host_fd = host_fd
        self.directory = directory
        self.permissions = permissions
        self.opened_read = opened_read
        self.opened_write = opened_write

    def close(self) -> None:
        if self.host_fd >= 0:
            os.close(self.host_fd)
            self.host_fd = -1

    def file(self) -> Descriptor:
        if self.directory:
            raise FilesystemError("bad-descriptor")
        return self

    def as_directory(self) -> Descriptor:
        if not self.directory:
            raise FilesystemError("not-directory")
        return self

    def readable_directory(self) -> Descriptor:
        if not self.as_directory().permissions.directory_read:
            raise FilesystemError("not-permitted")
        return self

    def mutable_directory(self) -> Descriptor:
        if not self.as_directory().permissions.directory_mutate:
            raise FilesystemError("not-permitted")
        return self


class DirectoryEntryStream:
    """What ``directory-entry-stream`` represents: the listing taken by ``read-directory``."""

    __slots__ = ("entries",)

    def __init__(self, entries: Iterator[dict[str, str] | str]) -> None:
        self.entries = entries  # each an entry record, or the error code met at that place

    def close(self) -> None:
        self.entries = iter(())


# -- conversions ---------------------------------------------------------------------------------


def _path(path: str) -> bytes:
    try:
        return path.encode("utf-8")
    except UnicodeEncodeError:
        raise FilesystemError("illegal-byte-sequence") from None


def _follow(path_flags: frozenset[str]) -> bool:
    return "symlink-follow" in path_flags


def _offset(value: int) -> int:
    if value > _MAX_OFFSET:
        raise FilesystemError("invalid")  # what the host says of an offset beyond off_t
    return value


def descriptor_type(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISLNK(mode):
        return "symbolic-link"
    if stat.S_ISBLK(mode):
        return "block-device"
    if stat.S_ISCHR(mode):
        return "character-device"
    if stat.S_ISREG(mode):
        return "regular-file"
    return "unknown"  # FIFOs and sockets too, as Wasmtime (cap-std's file types) reports them


def _datetime(time: tuple[int, int] | None) -> dict[str, int] | None:
    if time is None or time[0] < 0:
        return None
    return {"seconds": time[0], "nanoseconds": time[1]}


def descriptor_stat(host: HostStat) -> dict[str, Any]:
    return {
        "type": descriptor_type(host.mode),
        "link-count": host.nlink,
        "size": host.size,
        "data-access-timestamp": _datetime(host.atime),
        "data-modification-timestamp": _datetime(host.mtime),
        "status-change-timestamp": _datetime(host.btime),
    }


def metadata_hash(host: HostStat) -> dict[str, int]:
    lower = inode(host)
    return {"lower": lower, "upper": lower ^ _UPPER_HASH_KEY}


def _new_time(value: Variant) -> NewTime:
    if value.case == "no-change":
        return None
    if value.case == "now":
        return True
    seconds = value.value["seconds"] + value.value["nanoseconds"] // NANOS
    if seconds > _MAX_SECONDS:
        raise FilesystemError("overflow")
    return value.value["seconds"] * NANOS + value.value["nanoseconds"]


def _sync(descriptor: Descriptor, sync: Callable[[int], None]) -> None:
    if not descriptor.directory:
        sync(descriptor.host_fd)
        return
    fd = os.open(b".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=descriptor.host_fd)
    try:
        sync(fd)
    finally:
        os.close(fd)


def _listing(directory: Descriptor) -> list[dict[str, str] | str]:
    fd = os.open(b".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=directory.host_fd)
    try:
        entries: list[dict[str, str] | str] = []
        with os.scandir(fd) as scan:
            for entry in scan:
                try:
                    name = os.fsencode(entry.name).decode("utf-8")
                except UnicodeDecodeError:
                    entries.append("illegal-byte-sequence")
                    continue
                try:
                    mode = entry.stat(follow_symlinks=False).st_mode
                except OSError as error:
                    entries.append(error_code(error))
                    continue
                entries.append({"type": descriptor_type(mode), "name": name})
        return entries
    finally:
        os.close(fd)


# -- descriptor methods ----------------------------------------------------------------------------


@TYPES.function("[method]descriptor.read-via-stream", "func(offset: filesize) -> result<input-stream, error-code>")
@filesystem_result
def read_via_stream(host: WasiHost, descriptor: Descriptor, offset: int) -> FileInput:
    if not descriptor.file().permissions.file_read:
        raise FilesystemError("bad-descriptor")
    return FileInput(descriptor.host_fd, offset)


@TYPES.function("[method]descriptor.write-via-stream", "func(offset: filesize) -> result<output-stream, error-code>")
@filesystem_result
def write_via_stream(host: WasiHost, descriptor: Descriptor, offset: int) -> FileOutput:
    if not descriptor.file().permissions.file_write:
        raise FilesystemError("bad-descriptor")
    return FileOutput(descriptor.host_fd, offset)


@TYPES.function("[method]descriptor.append-via-stream", "func() -> result<output-stream, error-code>")
@filesystem_result
def append_via_stream(host: WasiHost, descriptor: Descriptor) -> FileOutput:
    if not descriptor.file().permissions.file_write:
        raise FilesystemError("bad-descriptor")
    return FileOutput(descriptor.host_fd, None)


@TYPES.function(
    "[method]descriptor.advise",
    "func(offset: filesize, length: filesize, advice: advice) -> result<_, error-code>",
)
@filesystem_result
def advise(host: WasiHost, descriptor: Descriptor, offset: int, length: int, advice: str) -> None:
    os.posix_fadvise(descriptor.file().host_fd, _offset(offset), _offset(length), _ADVICE[advice])


@TYPES.function("[method]descriptor.sync-data", "func() -> result<_, error-code>")
@filesystem_result
def sync_data(host: WasiHost, descriptor: Descriptor) -> None:
    _sync(descriptor, os.fdatasync)


@TYPES.function("[method]descriptor.get-flags", "func() -> result<descriptor-flags, error-code>")
@filesystem_result
def get_flags(host: WasiHost, descriptor: Descriptor) -> frozenset[str]:
    # (The sync flags are never set: open-at refuses them.)
    flags = {"read"} if descriptor.opened_read else set()
    if descriptor.opened_write:
        flags.add("mutate-directory" if descriptor.directory else "write")
    return frozenset(flags)


@TYPES.function("[method]descriptor.get-type", "func() -> result<descriptor-type, error-code>")
@filesystem_result
def get_type(host: WasiHost, descriptor: Descriptor) -> str:
    return "directory" if descriptor.directory else descriptor_type(stat_fd(descriptor.host_fd).mode)


@TYPES.function("[method]descriptor.set-size", "func(size: filesize) -> result<_, error-code>")
@filesystem_result
def set_size(host: WasiHost, descriptor: Descriptor, size: int) -> None:
    if not descriptor.file().permissions.file_write:
        raise FilesystemError("not-permitted")
    os.ftruncate(descriptor.host_fd, _offset(size))


@TYPES.function(
    "[method]descriptor.set-times",
    "func(data-access-timestamp: new-timestamp, data-modification-timestamp: new-timestamp) -> result<_, error-code>",
)
@filesystem_result
def set_times(host: WasiHost, descriptor: Descriptor, access: Variant, modification: Variant) -> None:
    allowed = descriptor.permissions.directory_mutate if descriptor.directory else descriptor.permissions.file_write
    if not allowed:
        raise FilesystemError("not-permitted")
    if descriptor.directory:
        set_times_at(descriptor.host_fd, b".", _new_time(access), _new_time(modification))
    else:
        set_times_fd(descriptor.host_fd, _new_time(access), _new_time(modification))


@TYPES.function(
    "[method]descriptor.read",
    "func(length: filesize, offset: filesize) -> result<tuple<list<u8>, bool>, error-code>",
)
@filesystem_result
def read(host: WasiHost, descriptor: Descriptor, length: int, offset: int) -> tuple[bytes, bool]:
    if not descriptor.file().permissions.file_read:
        raise FilesystemError("not-permitted")
    data = os.pread(descriptor.host_fd, min(length, READ_CHUNK), _offset(offset))
    return data, not data


@TYPES.function("[method]descriptor.write", "func(buffer: list<u8>, offset: filesize) -> result<filesize, error-code>")
@filesystem_result
def write(host: WasiHost, descriptor: Descriptor, buffer: bytes, offset: int) -> int:
    if not descriptor.file().permissions.file_write:
        raise FilesystemError("not-permitted")
    return os.pwrite(descriptor.host_fd, buffer, _offset(offset))


@TYPES.function("[method]descriptor.read-directory", "func() -> result<directory-entry-stream, error-code>")
@filesystem_result
def read_directory(host: WasiHost, descriptor: Descriptor) -> DirectoryEntryStream:
    return DirectoryEntryStream(iter(_listing(descriptor.readable_directory())))


@TYPES.function("[method]descriptor.sync", "func() -> result<_, error-code>")
@filesystem_result
def sync(host: WasiHost, descriptor: Descriptor) -> None:
    _sync(descriptor, os.fsync)


@TYPES.function("[method]descriptor.create-directory-at", "func(path: string) -> result<_, error-code>")
@filesystem_result
def create_directory_at(host: WasiHost, descriptor: Descriptor, path: str) -> None:
    directory = descriptor.mutable_directory()
    with parent_of(directory.host_fd, strip_directory_suffix(_path(path))) as (parent, name):
        os.mkdir(name, 0o777, dir_fd=parent)


@TYPES.function("[method]descriptor.stat", "func() -> result<descriptor-stat, error-code>")
@filesystem_result
def stat_(host: WasiHost, descriptor: Descriptor) -> dict[str, Any]:
    return descriptor_stat(stat_fd(descriptor.host_fd))


@TYPES.function(
    "[method]descriptor.stat-at",
    "func(path-flags: path-flags, path: string) -> result<descriptor-stat, error-code>",
)
@filesystem_result
def stat_at(host: WasiHost, descriptor: Descriptor, path_flags: frozenset[str], path: str) -> dict[str, Any]:
    directory = descriptor.readable_directory()
    return descriptor_stat(stat_beneath(directory.host_fd, _path(path), follow=_follow(path_flags)))


@TYPES.function(
    "[method]descriptor.set-times-at",
    "func(path-flags: path-flags, path: string, data-access-timestamp: new-timestamp,"
    " data-modification-timestamp: new-timestamp) -> result<_, error-code>",
)
@filesystem_result
def set_times_at_(
    host: WasiHost,
    descriptor: Descriptor,
    path_flags: frozenset[str],
    path: str,
    access: Variant,
    modification: Variant,
) -> None:
    directory = descriptor.mutable_directory()
    access_time, modification_time = _new_time(access), _new_time(modification)
    set_times_beneath(directory.host_fd, _path(path), _follow(path_flags), access_time, modification_time)


def _same_permissions(old: Descriptor, new: Descriptor) -> None:
    """link-at and rename-at work only between directories under the same permissions."""
    if old.permissions != new.permissions:
        raise FilesystemError("not-permitted")


@TYPES.function(
    "[method]descriptor.link-at",
    "func(old-path-flags: path-flags, old-path: string, new-descriptor: borrow<descriptor>,"
    " new-path: string) -> result<_, error-code>",
)
@filesystem_result
def link_at(
    host: WasiHost,
    descriptor: Descriptor,
    old_path_flags: frozenset[str],
    old_path: str,
    new_descriptor: Descriptor,
    new_path: str,
) -> None:
    descriptor.mutable_directory()
    new_descriptor.mutable_directory()
    if _follow(old_path_flags):
        raise FilesystemError("invalid")
    _same_permissions(descriptor, new_descriptor)
    with (
        parent_of(descriptor.host_fd, _path(old_path)) as (old_parent, old_name),
        parent_of(new_descriptor.host_fd, _path(new_path)) as (new_parent, new_name),
    ):
        os.link(old_name, new_name, src_dir_fd=old_parent, dst_dir_fd=new_parent, follow_symlinks=False)


@TYPES.function(
    "[method]descriptor.open-at",
    "func(path-flags: path-flags, path: string, open-flags: open-flags, %flags: descriptor-flags)"
    " -> result<descriptor, error-code>",
)
@filesystem_result
def open_at(
    host: WasiHost,
    descriptor: Descriptor,
    path_flags: frozenset[str],
    path: str,
    open_flags: frozenset[str],
    flags: frozenset[str],
) -> Descriptor:
    directory = descriptor.readable_directory()
    permissions = directory.permissions
    create, truncate = "create" in open_flags, "truncate" in open_flags
    if not permissions.directory_mutate and (create or truncate or "write" in flags):
        raise FilesystemError("not-permitted")
    write = create or truncate or "write" in flags
    read = "read" in flags or "write" not in flags  # Wasmtime opens for reading whenever it may
    if flags & _SYNC_FLAGS:
        raise FilesystemError("unsupported")
    if "directory" in open_flags and (create or truncate or "exclusive" in open_flags):
        raise FilesystemError("invalid")
    if write and not permissions.file_write:
        raise FilesystemError("not-permitted")

    host_flags = os.O_RDWR if read and write else os.O_WRONLY if write else os.O_RDONLY
    if create:
        host_flags |= os.O_CREAT | (os.O_EXCL if "exclusive" in open_flags else 0)
    if truncate:
        host_flags |= os.O_TRUNC
    if "directory" in open_flags:
        host_flags |= os.O_DIRECTORY
    host_fd = open_beneath(directory.host_fd, _path(path), host_flags, follow=_follow(path_flags))
    try:
        is_directory = stat.S_ISDIR(os.fstat(host_fd).st_mode)
        if not is_directory and "directory" in open_flags:
            raise FilesystemError("not-directory")
    except BaseException:
        os.close(host_fd)
        raise
    return Descriptor(host_fd, directory=is_directory, permissions=permissions, opened_read=read, opened_write=write)


@TYPES.function("[method]descriptor.readlink-at", "func(path: string) -> result<string, error-code>")
@filesystem_result
def readlink_at(host: WasiHost, descriptor: Descriptor, path: str) -> str:
    directory = descriptor.readable_directory()
    with parent_of(directory.host_fd, _path(path)) as (parent, name):
        target = os.readlink(name, dir_fd=parent)
    if target.startswith(b"/"):
        raise escape()  # an absolute target names something outside: never shown
    try:
        return target.decode("utf-8")
    except UnicodeDecodeError:
        raise FilesystemError("illegal-byte-sequence") from None


@TYPES.function("[method]descriptor.remove-directory-at", "func(path: string) -> result<_, error-code>")
@filesystem_result
def remove_directory_at(host: WasiHost, descriptor: Descriptor, path: str) -> None:
    directory = descriptor.mutable_directory()
    with parent_of(directory.host_fd, _path(path)) as (parent, name):
        os.rmdir(name, dir_fd=parent)


@TYPES.function(
    "[method]descriptor.rename-at",
    "func(old-path: string, new-descriptor: borrow<descriptor>, new-path: string) -> result<_, error-code>",
)
@filesystem_result
def rename_at(host: WasiHost, descriptor: Descriptor, old_path: str, new_descriptor: Descriptor, new_path: str) -> None:
    descriptor.mutable_directory()
    new_descriptor.mutable_directory()
    _same_permissions(descriptor, new_descriptor)
    old, new = _path(old_path), _path(new_path)
    old_slash = old.endswith(b"/")
    with (
        parent_of(descriptor.host_fd, strip_directory_suffix(old)) as (old_parent, old_name),
        parent_of(new_descriptor.host_fd, strip_directory_suffix(new)) as (new_parent, new_name),
    ):
        # A trailing slash still requires the source to be a directory (the kernel checks it).
        os.rename(old_name + b"/" if old_slash else old_name, new_name, src_dir_fd=old_parent, dst_dir_fd=new_parent)


@TYPES.function("[method]descriptor.symlink-at", "func(old-path: string, new-path: string) -> result<_, error-code>")
@filesystem_result
def symlink_at(host: WasiHost, descriptor: Descriptor, old_path: str, new_path: str) -> None:
    directory = descriptor.mutable_directory()
    target = _path(old_path)
    if target.startswith(b"/"):
        raise escape()  # a link to an absolute path could only ever lead outside
    if b"\0" in target:
        raise FilesystemError("invalid")
    with parent_of(directory.host_fd, _path(new_path)) as (parent, name):
        os.symlink(target, name, dir_fd=parent)


@TYPES.function("[method]descriptor.unlink-file-at", "func(path: string) -> result<_, error-code>")
@filesystem_result
def unlink_file_at(host: WasiHost, descriptor: Descriptor, path: str) -> None:
    directory = descriptor.mutable_directory()
    with parent_of(directory.host_fd, _path(path)) as (parent, name):
        os.unlink(name, dir_fd=parent)


@TYPES.function("[method]descriptor.is-same-object", "func(other: borrow<descriptor>) -> bool")
def is_same_object(host: WasiHost, descriptor: Descriptor, other: Descriptor) -> bool:
    try:
        mine, theirs = stat_fd(descriptor.host_fd), stat_fd(other.host_fd)
    except OSError:
        return False
    return (mine.dev, mine.ino) == (theirs.dev, theirs.ino)


@TYPES.function("[method]descriptor.metadata-hash", "func() -> result<metadata-hash-value, error-code>")
@filesystem_result
def metadata_hash_(host: WasiHost, descriptor: Descriptor) -> dict[str, int]:
    return metadata_hash(stat_fd(descriptor.host_fd))


@TYPES.function(
    "[method]descriptor.metadata-hash-at",
    "func(path-flags: path-flags, path: string) -> result<metadata-hash-value, error-code>",
)
@filesystem_result
def metadata_hash_at(host: WasiHost, descriptor: Descriptor, path_flags: frozenset[str], path: str) -> dict[str, int]:
    directory = descriptor.as_directory()  # (no permission needed, as in Wasmtime)
    return metadata_hash(stat_beneath(directory.host_fd, _path(path), follow=_follow(path_flags)))


@TYPES.function(
    "[method]directory-entry-stream.read-directory-entry",
    "func() -> result<option<directory-entry>, error-code>",
)
@filesystem_result
def read_directory_entry(host: WasiHost, stream: DirectoryEntryStream) -> dict[str, str] | None:
    entry = next(stream.entries, None)
    if isinstance(entry, str):
        raise FilesystemError(entry)
    return entry


@TYPES.function("filesystem-error-code", "func(err: borrow<error>) -> option<error-code>")
def filesystem_error_code(host: WasiHost, error: IoError) -> str | None:
    return error_code(error.cause) if isinstance(error.cause, OSError) else None


@PREOPENS.function("get-directories", "func() -> list<tuple<descriptor, string>>")
def get_directories(host: WasiHost) -> list[tuple[Descriptor, str]]:
    # A new descriptor (a dup) each call: the guest may drop each one without closing the preopen.
    return [
        (
            Descriptor(
                os.dup(preopen.host_fd),
                directory=True,
                permissions=preopen.permissions,
                opened_read=preopen.permissions.directory_read,
                opened_write=preopen.permissions.directory_mutate,
            ),
            preopen.guest_path,
        )
        for preopen in host.preopens
    ]
