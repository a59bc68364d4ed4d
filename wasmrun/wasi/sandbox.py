"""Guest paths resolved beneath a directory descriptor, one component at a time, by wasmrun.

A guest path is never handed to the host's own path resolution.  Each
component is looked up with an ``*at`` system call relative to the descriptor
of the directory reached so far (``O_NOFOLLOW``, so the kernel never follows a
symbolic link for us), symbolic links are read with ``readlinkat`` and their
targets pushed back onto the list of components to resolve, and ``..`` pops a
stack of the descriptors already walked through, so it can never climb above
the starting directory, whatever the host does concurrently (a directory moved
elsewhere takes our descriptors with it).  The resolution rules are those of
cap-std, which Wasmtime uses:

- an empty path is ENOENT, one of 4096 bytes or more ENAMETOOLONG;
- an absolute path, an absolute symlink target, or a ``..`` that would leave the
  starting directory is an escape: EPERM (whatever lies beyond);
- at most 40 symbolic links are expanded per resolution, then ELOOP;
- a path ending in ``/``, ``/.`` or ``..`` designates a directory, and its last
  component is followed even if it is a symbolic link;
- a final symbolic link is followed only when the operation asks for it.

Errors are raised as :class:`OSError` carrying the host errno (EPERM for an
escape), which the function layer translates into WASI errnos in one place.

Host descriptors opened while walking are ``O_PATH`` descriptors, closed as
``..`` leaves them and in any case before returning (the functions here return
either a new descriptor the caller owns, or run a callback while the parent
directory is open).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from wasmrun.wasi.metadata import HostStat, stat_at, stat_fd
from wasmrun.wasi.times import NewTime, set_times_at

T = TypeVar("T")

MAX_SYMLINK_EXPANSIONS = 40
PATH_MAX = 4096  # Linux: a path, its NUL included, must be shorter than this

_PATH_FLAGS = os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC
_ROOT = b"/"  # the worklist's marker for a root component


def escape() -> OSError:
    return OSError(errno.EPERM, "a path led outside of the filesystem")


def _error(code: int) -> OSError:
    return OSError(code, os.strerror(code))


def _components(path: bytes) -> list[bytes]:
    """The components of ``path`` as Rust's ``Path::components`` yields them (``/`` for the root).

    Empty components and ``.`` components are dropped, except a leading ``.``.
    """
    parts = path.split(b"/")
    result: list[bytes] = []
    if path.startswith(b"/"):
        result.append(_ROOT)
    elif parts[0] == b".":
        result.append(b".")
    result.extend(part for part in parts if part and part != b".")
    return result


def _has_trailing_dot(path: bytes) -> bool:
    stripped = path.rstrip(b"/")
    if not stripped and path:
        return False  # "/" or "//": a root, not a dot
    return stripped == b"." or stripped.endswith(b"/.")


class _Walk:
    """One resolution: the worklist of components and the stack of directories walked through."""

    def __init__(self, start: int, path: bytes) -> None:
        if not path:
            raise _error(errno.ENOENT)
        if b"\0" in path:
            raise _error(errno.EINVAL)
        if len(path) >= PATH_MAX:
            raise _error(errno.ENAMETOOLONG)  # the kernel's limit on a path given to one system call
        self.start = start
        self.base = start  # the directory reached so far (ours to close unless it is `start`)
        self.dirs: list[int] = []  # the directories above it, `start` at the bottom
        self.expansions = 0
        self.work: list[bytes] = []
        self.trailing_slash = False
        self._push(path, at_end=True)

    def _push(self, path: bytes, *, at_end: bool) -> None:
        components = _components(path)
        if at_end:
            # A trailing "." is dropped by the component split but still means "this directory".
            if _has_trailing_dot(path):
                components.append(b".")
            if path.endswith(b"/"):
                self.trailing_slash = True
        self.work.extend(reversed(components))

    def close(self) -> None:
        for fd in (*self.dirs, self.base):
            if fd != self.start:
                os.close(fd)
        self.dirs.clear()
        self.base = self.start

    def expand(self, name: bytes) -> None:
        """Replace the symbolic link ``name`` (in the current directory) by its target."""
        if self.expansions == MAX_SYMLINK_EXPANSIONS:
            raise _error(errno.ELOOP)
        target = os.readlink(name, dir_fd=self.base)
        self.expansions += 1
        if not target:
            raise _error(errno.ENOENT)
        self._push(target, at_end=not self.work)

    def descend(self, name: bytes) -> None:
        """Enter the directory ``name``, expanding it first if it is a symbolic link."""
        fd = os.open(name, _PATH_FLAGS, dir_fd=self.base)
        try:
            mode = os.fstat(fd).st_mode
        except BaseException:
            os.close(fd)
            raise
        if stat.S_ISLNK(mode):
            os.close(fd)
            self.expand(name)
            return
        if not stat.S_ISDIR(mode):
            os.close(fd)
            raise _error(errno.ENOTDIR)
        self.dirs.append(self.base)
        self.base = fd

    def next_component(self) -> bytes | None:
        """Consume components up to the last one; None when the path designates ``self.base``.

        Every component but the last is resolved here.  The last one is
        returned as a name in ``self.base`` (``self.trailing_slash`` tells
        whether the path required it to be a directory).
        """
        while self.work:
            component = self.work.pop()
            if component == _ROOT:
                raise escape()
            if component == b".":
                continue
            if component == b"..":
                if not self.dirs:
                    raise escape()
                os.close(self.base)
                self.base = self.dirs.pop()
                continue
            if not self.work:
                return component
            self.descend(component)
        return None


class _Symlink:
    """What a ``last`` callback returns for a final component that is a link to follow."""


SYMLINK = _Symlink()


def resolve(
    start: int,
    path: bytes,
    *,
    follow: bool,
    last: Callable[[int, bytes], T | _Symlink],
    itself: Callable[[int], T],
    slashed: Callable[[], None] | None = None,
) -> T:
    """Resolve ``path`` beneath ``start`` and act on what it designates.

    ``last(dir_fd, name)`` acts on a final component ``name`` of the directory
    ``dir_fd``; it returns :data:`SYMLINK` to have that symbolic link expanded
    and resolution go on, and when ``follow`` is set an ELOOP it raises on a
    symbolic link (``O_NOFOLLOW``) does the same.  ``itself(dir_fd)`` acts when
    the path designates a directory as a whole (it ends in ``.`` or ``..``, or
    in ``/``: then the last component is entered, links followed, and
    ``slashed()``, if given, is called first, to refuse such a path).
    """
    walk = _Walk(start, path)
    try:
        while True:
            name = walk.next_component()
            if name is None:
                return itself(walk.base)
            if walk.trailing_slash:
                if slashed is not None:
                    slashed()
                walk.descend(name)
                continue
            try:
                result = last(walk.base, name)
            except OSError as error:
                if follow and error.errno == errno.ELOOP and _is_symlink(walk.base, name):
                    walk.expand(name)
                    continue
                raise
            if isinstance(result, _Symlink):
                walk.expand(name)
                continue
            return result
    finally:
        walk.close()


def _is_symlink(dir_fd: int, name: bytes) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def open_beneath(start: int, path: bytes, flags: int, *, follow: bool, mode: int = 0o666) -> int:
    """``openat`` of ``path`` beneath ``start``: a new host descriptor the caller owns.

    ``flags`` must not contain ``O_NOFOLLOW`` (added here).  Where the path
    designates a directory as a whole the kernel's answers are reproduced:
    O_CREAT with a trailing slash is EISDIR, O_CREAT|O_EXCL on ``.`` or ``..``
    is EEXIST, creating or writing a directory is EISDIR.
    """
    creating = flags & os.O_CREAT
    writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND)

    def last(dir_fd: int, name: bytes) -> int:
        return os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)

    def itself(dir_fd: int) -> int:
        if creating and flags & os.O_EXCL:
            raise _error(errno.EEXIST)
        if writing:
            raise _error(errno.EISDIR)
        return os.open(b".", flags | os.O_CLOEXEC, dir_fd=dir_fd)

    def slashed() -> None:
        if creating:
            raise _error(errno.EISDIR)

    return resolve(start, path, follow=follow, last=last, itself=itself, slashed=slashed)


def stat_beneath(start: int, path: bytes, *, follow: bool) -> HostStat:
    """The metadata of ``path`` beneath ``start`` (``statx``, see :mod:`wasmrun.wasi.metadata`)."""

    def last(dir_fd: int, name: bytes) -> HostStat | _Symlink:
        result = stat_at(dir_fd, name, follow=False)
        return SYMLINK if follow and stat.S_ISLNK(result.mode) else result

    return resolve(start, path, follow=follow, last=last, itself=stat_fd)


def set_times_beneath(start: int, path: bytes, follow: bool, access: NewTime, modify: NewTime) -> None:
    """``utimensat`` of ``path`` beneath ``start`` (the link itself unless ``follow``)."""

    def last(dir_fd: int, name: bytes) -> object:
        if follow and stat.S_ISLNK(stat_at(dir_fd, name, follow=False).mode):
            return SYMLINK
        set_times_at(dir_fd, name, access, modify)
        return None

    def itself(dir_fd: int) -> object:
        set_times_at(dir_fd, b".", access, modify)
        return None

    resolve(start, path, follow=follow, last=last, itself=itself)


def open_directory_beneath(start: int, path: bytes) -> int:
    """An ``O_PATH`` descriptor of the directory ``path`` (symbolic links followed)."""

    def last(dir_fd: int, name: bytes) -> int | _Symlink:
        fd = os.open(name, _PATH_FLAGS, dir_fd=dir_fd)
        try:
            mode = os.fstat(fd).st_mode
        except BaseException:
            os.close(fd)
            raise
        if stat.S_ISDIR(mode):
            return fd
        os.close(fd)
        if stat.S_ISLNK(mode):
            return SYMLINK
        raise _error(errno.ENOTDIR)

    def itself(dir_fd: int) -> int:
        return os.open(b".", _PATH_FLAGS, dir_fd=dir_fd)

    return resolve(start, path, follow=True, last=last, itself=itself)


def _requires_directory(path: bytes) -> bool:
    return path.endswith(b"/") or path.endswith(b"/.")


def split_parent(path: bytes) -> tuple[bytes, bytes]:
    """cap-std's ``split_parent``: the directory part and the last name of ``path``.

    The name is ``.`` when the path designates a directory as a whole.
    """
    if not path:
        raise _error(errno.ENOENT)
    if not _requires_directory(path):
        components = _components(path)
        if components and components[-1] not in (_ROOT, b".."):
            name = components[-1]
            # Everything before the last component, as written (Rust's `Components::as_path`).
            head = path.rstrip(b"/")
            head = head[: len(head) - len(name)] if head.endswith(name) else head
            return head.rstrip(b"/") or (b"/" if head.startswith(b"/") else b""), name
    return path, b"."


def strip_directory_suffix(path: bytes) -> bytes:
    """cap-std's ``strip_dir_suffix``: trailing slashes removed, a lone ``/`` kept."""
    while len(path) > 1 and path.endswith(b"/"):
        path = path[:-1]
    return path


@contextmanager
def parent_of(start: int, path: bytes) -> Iterator[tuple[int, bytes]]:
    """``(dir_fd, name)``: the parent directory of ``path`` held open, and its last name."""
    head, name = split_parent(path)
    if not head:
        yield start, name
        return
    fd = open_directory_beneath(start, head)
    try:
        yield fd, name
    finally:
        os.close(fd)
