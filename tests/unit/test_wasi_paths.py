"""The path_* functions (sandboxing itself: test_wasi_sandbox.py).

Expectations checked against wasmtime-py (``WASMRUN_WASI_ORACLE=1``).  The
sandbox holds ``f`` (``0123456789``), ``d/x``, ``e/`` (empty), ``lf -> f``,
``ld -> d``, ``ldangling -> nothere``; fd 3 is the preopen ``/sb``.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from wasi_harness import RESULT, RW, SCRATCH, Guest, R, W

from wasmrun.wasi.abi import Filetype

BADF, EXIST, ILSEQ, INVAL, ISDIR, LOOP, NOENT, NOMEM, NOTDIR, NOTEMPTY, NOTSUP = (
    8,
    20,
    25,
    28,
    31,
    32,
    44,
    48,
    54,
    55,
    58,
)
CREAT, DIRECTORY, EXCL, TRUNC = 1, 2, 4, 8
APPEND, DSYNC, NONBLOCK, RSYNC, SYNC = 1, 2, 4, 8, 16
FILESTAT = 304


@pytest.fixture
def guest(tmp_path: Path) -> Iterator[Guest]:
    g = Guest(tmp_path)
    sb = g.sandbox
    (sb / "f").write_bytes(b"0123456789")
    (sb / "d").mkdir()
    (sb / "d" / "x").write_bytes(b"x")
    (sb / "e").mkdir()
    os.symlink("f", sb / "lf")
    os.symlink("d", sb / "ld")
    os.symlink("nothere", sb / "ldangling")
    yield g
    g.close()


def stat(guest: Guest, path: str, follow: bool = True) -> tuple[int, int, int, int] | int:
    """(filetype, nlink, size, ino) or the errno."""
    pointer, length = guest.string(path)
    errno = guest.call("path_filestat_get", 3, int(follow), pointer, length, FILESTAT)
    if errno:
        return errno
    dev, ino, filetype, nlink, size = struct.unpack("<QQB7xQQ", guest.read(FILESTAT, 40))
    assert dev == 1
    return filetype, nlink, size, ino


def two(
    guest: Guest, name: str, old: str | bytes, new: str | bytes, *, old_fd: int = 3, new_fd: int = 3, flags: int = 0
) -> int:
    old_pointer, old_length = guest.string(old, SCRATCH)
    new_pointer, new_length = guest.string(new, SCRATCH + 512)
    if name == "path_rename":
        return guest.call(name, old_fd, old_pointer, old_length, new_fd, new_pointer, new_length)
    if name == "path_link":
        return guest.call(name, old_fd, flags, old_pointer, old_length, new_fd, new_pointer, new_length)
    return guest.call(name, old_pointer, old_length, new_fd, new_pointer, new_length)  # path_symlink


# -- path_open ------------------------------------------------------------------------------


def test_path_open_returns_the_next_fd(guest: Guest) -> None:
    assert guest.open("f") == (0, 4)
    assert guest.open("d", rights=R) == (0, 5)


def test_path_open_creat(guest: Guest) -> None:
    assert guest.open("new", CREAT, rights=W)[0] == 0
    assert (guest.sandbox / "new").read_bytes() == b""
    assert guest.open("new", CREAT)[0] == 0  # exists: fine without EXCL


def test_path_open_creat_excl(guest: Guest) -> None:
    assert guest.open("f", CREAT | EXCL) == (EXIST, None)
    assert guest.open(".", CREAT | EXCL) == (EXIST, None)
    assert guest.open("lf", CREAT | EXCL) == (EXIST, None)  # a link is not followed by O_EXCL
    assert guest.open("brand-new", CREAT | EXCL)[0] == 0


def test_path_open_creat_through_a_dangling_link(guest: Guest) -> None:
    assert guest.open("ldangling", CREAT)[0] == 0
    assert (guest.sandbox / "nothere").exists()


def test_path_open_trunc(guest: Guest) -> None:
    assert guest.open("f", TRUNC, rights=R)[0] == 0  # truncating implies writing
    assert (guest.sandbox / "f").read_bytes() == b""


def test_path_open_excl_without_creat_is_ignored(guest: Guest) -> None:
    assert guest.open("f", EXCL, rights=R)[0] == 0


@pytest.mark.parametrize("oflags", [DIRECTORY | CREAT, DIRECTORY | EXCL, DIRECTORY | TRUNC])
def test_path_open_directory_with_creation_flags_is_inval(guest: Guest, oflags: int) -> None:
    assert guest.open("d", oflags, rights=R) == (INVAL, None)


def test_path_open_directory_flag(guest: Guest) -> None:
    assert guest.open("d", DIRECTORY, rights=R)[0] == 0
    assert guest.open("f", DIRECTORY, rights=R) == (NOTDIR, None)


@pytest.mark.parametrize(
    ("path", "oflags", "rights", "errno"),
    [
        ("nothere", 0, R, NOENT),
        ("nothere/x", CREAT, RW, NOENT),
        ("f/x", 0, R, NOTDIR),
        ("f/", 0, R, NOTDIR),
        ("f/", CREAT, RW, ISDIR),  # the kernel's answer to O_CREAT with a trailing slash
        ("new/", CREAT, RW, ISDIR),
        ("d", 0, RW, ISDIR),
        ("d", CREAT, RW, ISDIR),
        (".", 0, RW, ISDIR),
        ("", 0, R, NOENT),
        ("ldangling", 0, R, NOENT),
        ("lf/", 0, R, NOTDIR),
    ],
)
def test_path_open_errors(guest: Guest, path: str, oflags: int, rights: int, errno: int) -> None:
    assert guest.open(path, oflags, rights) == (errno, None)


def test_path_open_final_symlink(guest: Guest) -> None:
    assert guest.open("lf", rights=R, follow=True)[0] == 0
    assert guest.open("lf", rights=R, follow=False) == (LOOP, None)
    assert guest.open("ld/x", rights=R, follow=False)[0] == 0  # only the last component is not followed


@pytest.mark.parametrize("fdflags", [DSYNC, RSYNC, SYNC])
def test_path_open_sync_flags_are_notsup(guest: Guest, fdflags: int) -> None:
    assert guest.open("f", fdflags=fdflags) == (NOTSUP, None)


@pytest.mark.parametrize("fdflags", [APPEND, NONBLOCK])
def test_path_open_fdflags_are_kept(guest: Guest, fdflags: int) -> None:
    errno, fd = guest.open("f", fdflags=fdflags)
    assert errno == 0 and fd is not None
    assert guest.call("fd_fdstat_get", fd, 200) == 0
    assert guest.u16(202) == fdflags


def test_path_open_dirfd_checks(guest: Guest) -> None:
    errno, file = guest.open("f", rights=R)
    assert errno == 0 and file is not None
    assert guest.open("x", dirfd=file) == (NOTDIR, None)
    assert guest.open("f", dirfd=0) == (BADF, None)
    assert guest.open("f", dirfd=99) == (BADF, None)


def test_path_open_reads_the_path_before_the_dirfd(guest: Guest) -> None:
    assert guest.call("path_open", 99, 1, SCRATCH, (128 << 20) + 1, 0, 0, 0, 0, RESULT) == NOMEM
    assert guest.trap("path_open", 0, 1, 65000, 1000, 0, 0, 0, 0, RESULT) == [
        "Pointer out of bounds: Region { start: 65000, len: 1000 }"
    ]


def test_path_open_invalid_utf8_is_ilseq(guest: Guest) -> None:
    assert guest.open(b"\xff\xfe") == (ILSEQ, None)


def test_path_open_nul_in_path_is_inval(guest: Guest) -> None:
    assert guest.open(b"f\0x") == (INVAL, None)


@pytest.mark.parametrize(
    ("args", "typename", "inner"),
    [
        ((2, 0, 0, 0), "Lookupflags", "Invalid flag value Lookupflags"),
        ((1, 16, 0, 0), "Oflags", "Invalid flag value Oflags"),
        ((1, 0, 1 << 30, 0), "Rights", "Invalid flag value Rights"),
        ((1, 0, 1 << 63, 0), "Rights", "Int conversion error: TryFromIntError(NegOverflow)"),
        ((1, 0, 0, 32), "Fdflags", "Invalid flag value Fdflags"),
        ((1, 0x10000, 0, 0), "Oflags", "Int conversion error: TryFromIntError(PosOverflow)"),
    ],
)
def test_path_open_bad_flags_trap(guest: Guest, args: tuple[int, int, int, int], typename: str, inner: str) -> None:
    lookup, oflags, rights, fdflags = args
    causes = guest.trap("path_open", 3, lookup, SCRATCH, 1, oflags, rights, 0, fdflags, RESULT)
    assert causes[0] == f"In func wasi_snapshot_preview1::path_open at convert {typename}: {inner}"


def test_path_open_result_pointer(guest: Guest) -> None:
    pointer, length = guest.string("f")
    assert guest.trap("path_open", 3, 1, pointer, length, 0, R, 0, 0, 2)[0] == (
        "In func wasi_snapshot_preview1::path_open at write fd: Pointer not aligned to 4: Region { start: 2, len: 4 }"
    )


# -- path_filestat_get ------------------------------------------------------------------------


def test_path_filestat_get(guest: Guest) -> None:
    filetype, nlink, size, _ = stat(guest, "f")  # type: ignore[misc]
    assert (filetype, nlink, size) == (Filetype.REGULAR_FILE, 1, 10)
    assert stat(guest, "d")[0] == Filetype.DIRECTORY  # type: ignore[index]


def test_path_filestat_get_follows_only_when_asked(guest: Guest) -> None:
    assert stat(guest, "lf", follow=True)[:3] == (Filetype.REGULAR_FILE, 1, 10)  # type: ignore[index]
    assert stat(guest, "lf", follow=False)[:3] == (Filetype.SYMBOLIC_LINK, 1, 1)  # type: ignore[index]
    assert stat(guest, "ld/", follow=False)[0] == Filetype.DIRECTORY  # type: ignore[index]  # "/" follows


def test_path_filestat_get_inode_matches_fd_filestat_get(guest: Guest) -> None:
    errno, fd = guest.open("f", rights=R)
    assert errno == 0 and fd is not None
    assert guest.call("fd_filestat_get", fd, 400) == 0
    assert stat(guest, "lf")[3] == struct.unpack("<Q", guest.read(408, 8))[0]  # type: ignore[index]


def test_path_filestat_get_times(guest: Guest) -> None:
    os.utime(guest.sandbox / "f", ns=(123456789, 987654321))
    pointer, length = guest.string("f")
    assert guest.call("path_filestat_get", 3, 0, pointer, length, FILESTAT) == 0
    atim, mtim = struct.unpack("<QQ", guest.read(FILESTAT + 40, 16))
    assert (atim, mtim) == (123456789, 987654321)


@pytest.mark.parametrize(
    ("path", "follow", "errno"),
    [("nothere", 1, NOENT), ("f/", 1, NOTDIR), ("f/x", 0, NOTDIR), ("ldangling", 1, NOENT), ("", 0, NOENT)],
)
def test_path_filestat_get_errors(guest: Guest, path: str, follow: bool, errno: int) -> None:
    assert stat(guest, path, follow) == errno


def test_path_filestat_get_dirfd_and_flags(guest: Guest) -> None:
    pointer, length = guest.string("f")
    assert guest.call("path_filestat_get", 0, 0, pointer, length, FILESTAT) == BADF
    _, file = guest.open("f", rights=R)
    assert file is not None
    assert guest.call("path_filestat_get", file, 0, pointer, length, FILESTAT) == BADF
    assert guest.trap("path_filestat_get", 3, 2, pointer, length, FILESTAT)[1] == "Invalid flag value Lookupflags"
    assert guest.trap("path_filestat_get", 3, 0, pointer, length, FILESTAT + 1)[0] == (
        "In func wasi_snapshot_preview1::path_filestat_get at write filestat: "
        "Pointer not aligned to 8: Region { start: 305, len: 8 }"
    )


# -- path_filestat_set_times -----------------------------------------------------------------


def test_path_filestat_set_times(guest: Guest) -> None:
    pointer, length = guest.string("lf")
    assert guest.call("path_filestat_set_times", 3, 1, pointer, length, 10**18, 2 * 10**18, 1 | 4) == 0
    host = os.stat(guest.sandbox / "f")
    assert (host.st_atime_ns, host.st_mtime_ns) == (10**18, 2 * 10**18)


def test_path_filestat_set_times_of_the_link_itself(guest: Guest) -> None:
    pointer, length = guest.string("lf")
    assert guest.call("path_filestat_set_times", 3, 0, pointer, length, 10**18, 3 * 10**18, 1 | 4) == 0
    assert os.lstat(guest.sandbox / "lf").st_mtime_ns == 3 * 10**18
    assert os.stat(guest.sandbox / "f").st_mtime_ns != 3 * 10**18


def test_path_filestat_set_times_only_mtime(guest: Guest) -> None:
    os.utime(guest.sandbox / "f", ns=(5, 6))
    pointer, length = guest.string("f")
    assert guest.call("path_filestat_set_times", 3, 0, pointer, length, 7, 9, 4) == 0
    host = os.stat(guest.sandbox / "f")
    assert (host.st_atime_ns, host.st_mtime_ns) == (5, 9)


def test_path_filestat_set_times_errors(guest: Guest) -> None:
    pointer, length = guest.string("f")
    assert guest.call("path_filestat_set_times", 99, 0, pointer, length, 0, 0, 1 | 2) == INVAL  # before the fd
    assert guest.call("path_filestat_set_times", 99, 0, pointer, length, 0, 0, 4 | 8) == INVAL
    assert guest.call("path_filestat_set_times", 99, 0, pointer, length, 0, 0, 1) == BADF
    pointer, length = guest.string("nothere")
    assert guest.call("path_filestat_set_times", 3, 0, pointer, length, 0, 0, 1) == NOENT
    assert guest.trap("path_filestat_set_times", 3, 0, pointer, length, 0, 0, 16)[1] == "Invalid flag value Fstflags"


# -- create, remove, unlink ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "created"), [("n1", "n1"), ("n2/", "n2"), ("n3//", "n3"), ("d/n4", "d/n4"), ("ld/n5", "d/n5")]
)
def test_path_create_directory(guest: Guest, path: str, created: str) -> None:
    assert guest.path("path_create_directory", 3, path) == 0
    assert (guest.sandbox / created).is_dir()


@pytest.mark.parametrize(
    ("path", "errno"),
    [
        ("f", EXIST),
        ("d", EXIST),
        ("lf", EXIST),
        ("ldangling", EXIST),
        ("nothere/x", NOENT),
        ("f/x", NOTDIR),
        ("", NOENT),
        (".", EXIST),
    ],
)
def test_path_create_directory_errors(guest: Guest, path: str, errno: int) -> None:
    assert guest.path("path_create_directory", 3, path) == errno


def test_path_create_directory_needs_a_directory_fd(guest: Guest) -> None:
    _, file = guest.open("f", rights=R)
    assert file is not None
    assert guest.path("path_create_directory", file, "x") == BADF  # not NOTDIR
    assert guest.path("path_create_directory", 1, "x") == BADF


def test_path_remove_directory(guest: Guest) -> None:
    assert guest.path("path_remove_directory", 3, "e") == 0
    assert not (guest.sandbox / "e").exists()


@pytest.mark.parametrize(
    ("path", "errno"),
    [
        ("d", NOTEMPTY),
        ("f", NOTDIR),
        ("lf", NOTDIR),
        ("ld", NOTDIR),
        ("nothere", NOENT),
        (".", INVAL),
        ("e/", INVAL),
        ("", NOENT),
    ],
)
def test_path_remove_directory_errors(guest: Guest, path: str, errno: int) -> None:
    assert guest.path("path_remove_directory", 3, path) == errno


@pytest.mark.parametrize("path", ["f", "lf", "ldangling", "d/x"])
def test_path_unlink_file(guest: Guest, path: str) -> None:
    assert guest.path("path_unlink_file", 3, path) == 0
    assert not os.path.lexists(guest.sandbox / path)


def test_path_unlink_file_removes_a_link_not_its_target(guest: Guest) -> None:
    assert guest.path("path_unlink_file", 3, "ld") == 0
    assert (guest.sandbox / "d" / "x").exists()


@pytest.mark.parametrize(
    ("path", "errno"), [("d", ISDIR), ("nothere", NOENT), ("f/", NOTDIR), ("d/", ISDIR), ("", NOENT), (".", ISDIR)]
)
def test_path_unlink_file_errors(guest: Guest, path: str, errno: int) -> None:
    assert guest.path("path_unlink_file", 3, path) == errno


def test_path_unlink_file_is_not_charged(guest: Guest) -> None:
    # The one path function that does not charge the path to the call's budget: a huge
    # length is a bounds trap, not NOMEM.
    assert guest.trap("path_unlink_file", 3, SCRATCH, (128 << 20) + 1) == [
        f"Pointer out of bounds: Region {{ start: {SCRATCH}, len: {(128 << 20) + 1} }}"
    ]
    assert guest.call("path_create_directory", 3, SCRATCH, (128 << 20) + 1) == NOMEM


# -- readlink, symlink, link, rename --------------------------------------------------------


@pytest.mark.parametrize(("size", "count", "text"), [(100, 1, b"f"), (0, 0, b"")])
def test_path_readlink(guest: Guest, size: int, count: int, text: bytes) -> None:
    assert guest.path("path_readlink", 3, "lf", 2000, size, RESULT) == 0
    assert guest.u32() == count
    assert guest.read(2000, count) == text


def test_path_readlink_truncates(guest: Guest) -> None:
    os.symlink("a-long-target", guest.sandbox / "long")
    guest.write(2000, b"\xaa" * 8)
    assert guest.path("path_readlink", 3, "long", 2000, 3, RESULT) == 0
    assert guest.u32() == 3
    assert guest.read(2000, 4) == b"a-l\xaa"


@pytest.mark.parametrize(
    ("path", "errno"), [("f", INVAL), ("d", INVAL), ("nothere", NOENT), ("lf/", NOTDIR), ("", NOENT)]
)
def test_path_readlink_errors(guest: Guest, path: str, errno: int) -> None:
    assert guest.path("path_readlink", 3, path, 2000, 100, RESULT) == errno


def test_path_readlink_buffer(guest: Guest) -> None:
    assert guest.path("path_readlink", 3, "lf", 65536, 0, RESULT) == 0  # nothing to copy: nothing checked
    pointer, length = guest.string("lf")
    assert guest.trap("path_readlink", 3, pointer, length, 65536, 1, RESULT) == [
        "Pointer out of bounds: Region { start: 65536, len: 1 }"
    ]


def test_path_symlink(guest: Guest) -> None:
    assert two(guest, "path_symlink", "d/x", "sx") == 0
    assert os.readlink(guest.sandbox / "sx") == "d/x"
    assert two(guest, "path_symlink", "anything", "d/dangling") == 0  # the target need not exist


@pytest.mark.parametrize(
    ("target", "path", "errno"),
    [
        ("f", "f", EXIST),
        ("f", "d", EXIST),
        ("f", "nothere/s", NOENT),
        ("f", "s/", NOENT),
        ("", "s", NOENT),
        ("f", "", NOENT),
    ],
)
def test_path_symlink_errors(guest: Guest, target: str, path: str, errno: int) -> None:
    assert two(guest, "path_symlink", target, path) == errno


def test_path_link(guest: Guest) -> None:
    assert two(guest, "path_link", "f", "d/hard") == 0
    assert os.stat(guest.sandbox / "d" / "hard").st_ino == os.stat(guest.sandbox / "f").st_ino


def test_path_link_of_a_symlink_links_the_symlink(guest: Guest) -> None:
    assert two(guest, "path_link", "lf", "hard") == 0
    assert os.readlink(guest.sandbox / "hard") == "f"


@pytest.mark.parametrize(
    ("old", "new", "flags", "errno"),
    [
        ("f", "f", 0, EXIST),
        ("nothere", "h", 0, NOENT),
        ("d", "h", 0, 63),  # directories cannot be hard-linked: the host's EPERM
        ("f", "h", 1, INVAL),  # following the source is refused
        ("f/", "h", 0, NOTDIR),
    ],
)
def test_path_link_errors(guest: Guest, old: str, new: str, flags: int, errno: int) -> None:
    assert two(guest, "path_link", old, new, flags=flags) == errno


def test_path_link_across_directory_fds(guest: Guest) -> None:
    errno, d = guest.open("d", rights=R)
    assert errno == 0 and d is not None
    assert two(guest, "path_link", "x", "from-d", old_fd=d) == 0
    assert (guest.sandbox / "from-d").read_bytes() == b"x"
    errno, file = guest.open("f", rights=R)
    assert two(guest, "path_link", "x", "y", old_fd=file) == BADF
    assert two(guest, "path_link", "x", "y", new_fd=0) == BADF


def test_path_rename(guest: Guest) -> None:
    assert two(guest, "path_rename", "f", "g") == 0
    assert (guest.sandbox / "g").read_bytes() == b"0123456789"
    assert two(guest, "path_rename", "e/", "e2/") == 0
    assert (guest.sandbox / "e2").is_dir()


def test_path_rename_replaces(guest: Guest) -> None:
    assert two(guest, "path_rename", "d/x", "f") == 0
    assert (guest.sandbox / "f").read_bytes() == b"x"


@pytest.mark.parametrize(
    ("old", "new", "errno"),
    [
        ("nothere", "x", NOENT),
        ("f", "d", ISDIR),
        ("d", "f", NOTDIR),
        ("d", "e", NOTEMPTY),
        ("f/", "g", NOTDIR),
        ("ld/", "g", NOTDIR),
        ("d", "d/sub", INVAL),
        ("", "x", NOENT),
    ],
)
def test_path_rename_errors(guest: Guest, old: str, new: str, errno: int) -> None:
    (guest.sandbox / "e" / "inside").write_bytes(b"")
    assert two(guest, "path_rename", old, new) == errno


def test_path_rename_across_directory_fds(guest: Guest) -> None:
    errno, d = guest.open("d", rights=R)
    assert errno == 0 and d is not None
    assert two(guest, "path_rename", "x", "from-d", old_fd=d) == 0
    assert (guest.sandbox / "from-d").exists()
    assert two(guest, "path_rename", "f", "into-d", new_fd=d) == 0
    assert (guest.sandbox / "d" / "into-d").exists()
    assert two(guest, "path_rename", "x", "y", new_fd=1) == BADF
