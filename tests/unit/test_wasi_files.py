"""The fd_* functions.

Expectations checked against wasmtime-py (``WASMRUN_WASI_ORACLE=1``), except
those marked ``mine_only``.  The sandbox holds ``f`` (``0123456789``), ``d/``
with ``d/x``; fd 3 is the preopen ``/sb``.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from wasi_harness import RESULT, RW, Guest, R, W, mine_only

from wasmrun.wasi.abi import ALL_RIGHTS, Filetype, Rights
from wasmrun.wasi.files import PREOPEN_INHERITING_RIGHTS, PREOPEN_RIGHTS

BADF, INTR, INVAL, ISDIR, NAMETOOLONG, NOMEM, NOTDIR, NOTSUP, PIPE, SPIPE = 8, 27, 28, 31, 37, 48, 54, 58, 64, 70
APPEND, DSYNC, NONBLOCK, RSYNC, SYNC = 1, 2, 4, 8, 16
ATIM, ATIM_NOW, MTIM, MTIM_NOW = 1, 2, 4, 8
SET, CUR, END = 0, 1, 2


@pytest.fixture
def guest(tmp_path: Path) -> Iterator[Guest]:
    g = Guest(tmp_path, stdin=b"input data here")
    (g.sandbox / "f").write_bytes(b"0123456789")
    (g.sandbox / "d").mkdir()
    (g.sandbox / "d" / "x").write_bytes(b"x")
    yield g
    g.close()


def opened(guest: Guest, path: str = "f", rights: int = RW, fdflags: int = 0) -> int:
    errno, fd = guest.open(path, rights=rights, fdflags=fdflags)
    assert errno == 0 and fd is not None
    return fd


def fdstat(guest: Guest, fd: int) -> tuple[int, int, int, int]:
    assert guest.call("fd_fdstat_get", fd, 200) == 0
    filetype, flags, base, inheriting = struct.unpack("<BxH4xQQ", guest.read(200, 24))
    return filetype, flags, base, inheriting


def filestat(guest: Guest, fd: int) -> tuple[int, ...]:
    assert guest.call("fd_filestat_get", fd, 304) == 0
    return struct.unpack("<QQB7xQQQQQ", guest.read(304, 64))


# -- fd_write / fd_read on stdio --------------------------------------------------------


def test_fd_write_writes_the_first_nonempty_buffer_only(guest: Guest) -> None:
    iovs, count = guest.iovecs(100, b"", b"hello", b" world")
    assert guest.call("fd_write", 1, iovs, count, RESULT) == 0
    assert guest.u32() == 5
    assert guest.call("fd_write", 2, iovs, count, RESULT) == 0
    assert guest.stdout() == b"hello"
    assert guest.stderr() == b"hello"


def test_fd_write_nothing(guest: Guest) -> None:
    iovs, count = guest.iovecs(100, b"", b"")
    assert guest.call("fd_write", 1, iovs, count, RESULT) == 0
    assert guest.u32() == 0
    assert guest.call("fd_write", 1, iovs, 0, RESULT) == 0
    assert guest.stdout() == b""


@pytest.mark.parametrize("fd", [0, 3, 99])
def test_fd_write_to_what_cannot_be_written_is_badf(guest: Guest, fd: int) -> None:
    iovs, count = guest.iovecs(100, b"x")
    assert guest.call("fd_write", fd, iovs, count, RESULT) == BADF


def test_fd_read_stdin(guest: Guest) -> None:
    iovs, count = guest.iovecs(100, 0, 5, 100)
    assert guest.call("fd_read", 0, iovs, count, RESULT) == 0
    assert guest.u32() == 5
    assert guest.read(124, 5) == b"input"


def test_fd_read_stdin_to_the_end(guest: Guest) -> None:
    iovs, count = guest.iovecs(100, 200)
    assert guest.call("fd_read", 0, iovs, count, RESULT) == 0
    assert guest.read(108, guest.u32()) == b"input data here"
    assert guest.call("fd_read", 0, iovs, count, RESULT) == 0
    assert guest.u32() == 0


def test_fd_read_stdin_into_nothing_is_intr(guest: Guest) -> None:
    iovs, count = guest.iovecs(100, 0)
    assert guest.call("fd_read", 0, iovs, count, RESULT) == INTR


def test_fd_read_of_an_empty_stdin(tmp_path: Path) -> None:
    g = Guest(tmp_path)  # no stdin at all: end of file, even for an empty buffer
    try:
        for size in (0, 10):
            iovs, count = g.iovecs(100, size)
            assert g.call("fd_read", 0, iovs, count, RESULT) == 0
            assert g.u32() == 0
    finally:
        g.close()


@pytest.mark.parametrize("fd", [1, 2, 3, 99])
def test_fd_read_from_what_cannot_be_read_is_badf(guest: Guest, fd: int) -> None:
    iovs, count = guest.iovecs(100, 4)
    assert guest.call("fd_read", fd, iovs, count, RESULT) == BADF


@pytest.mark.parametrize(("fd", "errno"), [(0, SPIPE), (1, BADF), (3, BADF)])
def test_fd_pread_on_stdio_and_directories(guest: Guest, fd: int, errno: int) -> None:
    iovs, count = guest.iovecs(100, 4)
    assert guest.call("fd_pread", fd, iovs, count, 0, RESULT) == errno


@pytest.mark.parametrize(("fd", "errno"), [(0, BADF), (1, SPIPE), (2, SPIPE), (3, BADF)])
def test_fd_pwrite_on_stdio_and_directories(guest: Guest, fd: int, errno: int) -> None:
    iovs, count = guest.iovecs(100, b"x")
    assert guest.call("fd_pwrite", fd, iovs, count, 0, RESULT) == errno


def test_closing_stdout_forgets_it(guest: Guest) -> None:
    iovs, count = guest.iovecs(100, b"x")
    assert guest.call("fd_close", 1) == 0
    assert guest.call("fd_write", 1, iovs, count, RESULT) == BADF
    assert guest.call("fd_close", 1) == BADF


@mine_only
def test_closing_stdout_leaves_the_host_descriptor_open(guest: Guest) -> None:
    host_fd = guest.backend.fds[0]
    assert guest.call("fd_close", 1) == 0
    os.fstat(host_fd)  # still open


@mine_only
def test_fd_write_to_a_closed_pipe_is_pipe(tmp_path: Path) -> None:
    from wasmrun.runtime.memory import MemoryInstance
    from wasmrun.types import Limits, MemoryType
    from wasmrun.wasi import WasiContext

    read_end, write_end = os.pipe()
    os.close(read_end)
    memory = MemoryInstance(MemoryType(Limits(1)))
    with WasiContext(["p"], stdout=write_end) as context:
        context.memory = memory
        memory.write(100, struct.pack("<II", 108, 5) + b"hello")
        assert context.fd_write(1, 100, 1, RESULT) == PIPE  # no SIGPIPE, no exception
    os.close(write_end)
    memory.close()


@mine_only
def test_stdin_is_read_only_when_the_guest_reads(tmp_path: Path) -> None:
    from wasmrun.runtime.memory import MemoryInstance
    from wasmrun.types import Limits, MemoryType
    from wasmrun.wasi import WasiContext

    read_end, write_end = os.pipe()
    os.write(write_end, b"abcdef")
    memory = MemoryInstance(MemoryType(Limits(1)))
    with WasiContext(["p"], stdin=read_end) as context:
        context.memory = memory
        memory.write(100, struct.pack("<II", 108, 2))
        assert context.fd_read(0, 100, 1, RESULT) == 0
        assert memory.read(108, 2) == b"ab"
        assert os.read(read_end, 10) == b"cdef"  # the rest was never taken from the pipe
    os.close(read_end)
    os.close(write_end)
    memory.close()


# -- files: positions, reads and writes --------------------------------------------------


def test_fd_read_advances_the_position(guest: Guest) -> None:
    fd = opened(guest)
    iovs, count = guest.iovecs(100, 3, 4)
    assert guest.call("fd_read", fd, iovs, count, RESULT) == 0
    assert guest.u32() == 3
    assert guest.read(116, 3) == b"012"
    assert guest.call("fd_tell", fd, RESULT) == 0
    assert guest.u64() == 3


def test_fd_write_at_the_position(guest: Guest) -> None:
    fd = opened(guest)
    assert guest.call("fd_seek", fd, 2, SET, RESULT) == 0
    iovs, count = guest.iovecs(100, b"AB", b"CD")
    assert guest.call("fd_write", fd, iovs, count, RESULT) == 0
    assert guest.u32() == 2
    assert guest.call("fd_tell", fd, RESULT) == 0
    assert guest.u64() == 4
    assert (guest.sandbox / "f").read_bytes() == b"01AB456789"


def test_fd_pwrite_leaves_the_position(guest: Guest) -> None:
    fd = opened(guest)
    iovs, count = guest.iovecs(100, b"AB")
    assert guest.call("fd_pwrite", fd, iovs, count, 12, RESULT) == 0
    assert guest.u32() == 2
    assert guest.call("fd_tell", fd, RESULT) == 0
    assert guest.u64() == 0
    assert (guest.sandbox / "f").read_bytes() == b"0123456789\0\0AB"


def test_fd_pread(guest: Guest) -> None:
    fd = opened(guest)
    iovs, count = guest.iovecs(100, 64)
    assert guest.call("fd_pread", fd, iovs, count, 4, RESULT) == 0
    assert guest.read(108, guest.u32()) == b"456789"
    assert guest.call("fd_pread", fd, iovs, count, 100, RESULT) == 0
    assert guest.u32() == 0
    assert guest.call("fd_tell", fd, RESULT) == 0
    assert guest.u64() == 0


def test_fd_pread_reads_at_most_64_kib(guest: Guest) -> None:
    (guest.sandbox / "big").write_bytes(bytes(70000))
    fd = opened(guest, "big")
    guest.write(100, struct.pack("<II", 0, 65536))
    assert guest.call("fd_pread", fd, 100, 1, 0, RESULT) == 0
    assert guest.u32() == 65536


def test_fd_pread_checks_only_what_it_fills(guest: Guest) -> None:
    fd = opened(guest)
    guest.write(100, struct.pack("<II", 65530, 10))  # the buffer runs off the end
    assert guest.call("fd_pread", fd, 100, 1, 4, RESULT) == 0  # 6 bytes read: they fit
    assert guest.read(65530, 6) == b"456789"
    assert guest.trap("fd_pread", fd, 100, 1, 0, RESULT) == ["Pointer out of bounds: Region { start: 65530, len: 10 }"]


def test_fd_read_checks_the_whole_buffer_first(guest: Guest) -> None:
    fd = opened(guest)
    guest.write(100, struct.pack("<II", 65530, 10))
    assert guest.trap("fd_read", fd, 100, 1, RESULT) == ["Pointer out of bounds: Region { start: 65530, len: 10 }"]


@pytest.mark.parametrize("name", ["fd_pread", "fd_pwrite"])
def test_offsets_beyond_the_host_range_are_inval(guest: Guest, name: str) -> None:
    fd = opened(guest)
    iovs, count = guest.iovecs(100, 4)
    assert guest.call(name, fd, iovs, count, 1 << 63, RESULT) == INVAL


@pytest.mark.parametrize(
    ("offset", "whence", "position"),
    [(3, SET, 3), (0, END, 10), (-3, END, 7), (5, END, 15), ((1 << 63) - 1, SET, (1 << 63) - 1)],
)
def test_fd_seek(guest: Guest, offset: int, whence: int, position: int) -> None:
    fd = opened(guest)
    assert guest.call("fd_seek", fd, offset, whence, RESULT) == 0
    assert guest.u64() == position


def test_fd_seek_relative(guest: Guest) -> None:
    fd = opened(guest)
    assert guest.call("fd_seek", fd, 4, SET, RESULT) == 0
    assert guest.call("fd_seek", fd, -1, CUR, RESULT) == 0
    assert guest.u64() == 3


@pytest.mark.parametrize(("offset", "whence"), [(-1, SET), (-1, CUR), (-11, END)])
def test_fd_seek_to_a_negative_position_is_inval(guest: Guest, offset: int, whence: int) -> None:
    fd = opened(guest)
    assert guest.call("fd_seek", fd, offset, whence, RESULT) == INVAL
    assert guest.call("fd_tell", fd, RESULT) == 0
    assert guest.u64() == 0


@pytest.mark.parametrize(("fd", "errno"), [(0, SPIPE), (1, SPIPE), (3, BADF), (99, BADF)])
def test_fd_seek_and_fd_tell_need_a_file(guest: Guest, fd: int, errno: int) -> None:
    assert guest.call("fd_seek", fd, 0, SET, RESULT) == errno
    assert guest.call("fd_tell", fd, RESULT) == errno


def test_fd_seek_bad_whence_traps(guest: Guest) -> None:
    assert guest.trap("fd_seek", 99, 0, 3, RESULT) == [
        "In func wasi_snapshot_preview1::fd_seek at convert Whence: Invalid enum value Whence",
        "Invalid enum value Whence",
    ]
    assert guest.trap("fd_seek", 99, 0, 256, RESULT)[1] == "Int conversion error: TryFromIntError(PosOverflow)"


def test_fd_tell_result_pointer(guest: Guest) -> None:
    fd = opened(guest)
    assert guest.trap("fd_tell", fd, 4) == [
        "In func wasi_snapshot_preview1::fd_tell at write filesize: Pointer not aligned to 8: Region { start: 4, len: 8 }",
        "Pointer not aligned to 8: Region { start: 4, len: 8 }",
    ]


def test_append_mode(guest: Guest) -> None:
    fd = opened(guest, fdflags=APPEND)
    iovs, count = guest.iovecs(100, b"xyz")
    assert guest.call("fd_write", fd, iovs, count, RESULT) == 0
    assert guest.call("fd_tell", fd, RESULT) == 0
    assert guest.u64() == 13  # at the new end
    assert guest.call("fd_pwrite", fd, iovs, count, 0, RESULT) == 0  # the offset is ignored
    assert guest.call("fd_tell", fd, RESULT) == 0
    assert guest.u64() == 13
    assert (guest.sandbox / "f").read_bytes() == b"0123456789xyzxyz"


def test_read_only_and_write_only_files(guest: Guest) -> None:
    reader = opened(guest, rights=R)
    writer = opened(guest, rights=W)
    iovs, count = guest.iovecs(100, b"AB")
    assert guest.call("fd_write", reader, iovs, count, RESULT) == BADF
    assert guest.call("fd_pwrite", reader, iovs, count, 0, RESULT) == BADF
    assert guest.call("fd_read", writer, iovs, count, RESULT) == BADF
    assert guest.call("fd_pread", writer, iovs, count, 0, RESULT) == BADF


def test_directories_are_neither_read_nor_written(guest: Guest) -> None:
    fd = opened(guest, "d", rights=R)
    iovs, count = guest.iovecs(100, 4)
    for name, args in [
        ("fd_read", (fd, iovs, count, RESULT)),
        ("fd_write", (fd, iovs, count, RESULT)),
        ("fd_pread", (fd, iovs, count, 0, RESULT)),
        ("fd_pwrite", (fd, iovs, count, 0, RESULT)),
        ("fd_seek", (fd, 0, SET, RESULT)),
        ("fd_tell", (fd, RESULT)),
        ("fd_advise", (fd, 0, 0, 0)),
        ("fd_allocate", (fd, 0, 0)),
        ("fd_datasync", (fd,)),
        ("fd_sync", (fd,)),
        ("fd_fdstat_set_flags", (fd, 0)),
        ("fd_filestat_set_size", (fd, 0)),
    ]:
        assert guest.call(name, *args) == BADF, name


# -- iovec arrays and the per-call budget -------------------------------------------------


def test_iovec_array_is_charged_before_anything(guest: Guest) -> None:
    assert guest.call("fd_write", 1, 100, 0x1000001, RESULT) == NOMEM  # 8 * count > 128 MiB
    assert guest.call("fd_write", 99, 100, 0xFFFFFFFF, RESULT) == NOMEM


def test_first_buffer_is_charged(guest: Guest) -> None:
    guest.write(100, struct.pack("<II", 0, (128 << 20) + 1))
    assert guest.call("fd_write", 1, 100, 1, RESULT) == NOMEM


def test_iovec_elements_are_checked_one_by_one(guest: Guest) -> None:
    assert guest.trap("fd_write", 1, 65528, 2, RESULT) == ["Pointer out of bounds: Region { start: 65536, len: 4 }"]
    assert guest.trap("fd_write", 99, 3, 1, RESULT) == ["Pointer not aligned to 4: Region { start: 3, len: 4 }"]


def test_iovec_buffer_out_of_bounds(guest: Guest) -> None:
    guest.write(100, struct.pack("<II", 65000, 1000))
    assert guest.trap("fd_write", 1, 100, 1, RESULT) == ["Pointer out of bounds: Region { start: 65000, len: 1000 }"]
    assert guest.call("fd_write", 99, 100, 1, RESULT) == BADF  # a bad fd is found before the buffer is read


# -- fd_fdstat_get / fd_fdstat_set_flags / fd_fdstat_set_rights ---------------------------


@pytest.mark.parametrize(("fd", "rights"), [(0, Rights.FD_READ), (1, Rights.FD_WRITE), (2, Rights.FD_WRITE)])
def test_fdstat_of_stdio(guest: Guest, fd: int, rights: int) -> None:
    assert fdstat(guest, fd) == (Filetype.UNKNOWN, 0, rights, rights)  # not a terminal


def test_fdstat_of_a_preopen(guest: Guest) -> None:
    assert fdstat(guest, 3) == (Filetype.DIRECTORY, 0, PREOPEN_RIGHTS, PREOPEN_INHERITING_RIGHTS)


def test_fdstat_of_an_opened_directory(guest: Guest) -> None:
    fd = opened(guest, "d", rights=R)
    rights = ALL_RIGHTS & ~int(
        Rights.FD_SEEK | Rights.FD_FILESTAT_SET_SIZE | Rights.PATH_FILESTAT_SET_SIZE | Rights.FD_WRITE
    )
    assert fdstat(guest, fd) == (Filetype.DIRECTORY, 0, rights, rights)


@pytest.mark.parametrize(
    ("rights", "missing"),
    [(RW, 0), (R, Rights.FD_WRITE), (W, Rights.FD_READ | Rights.FD_READDIR), (0, Rights.FD_WRITE)],
)
def test_fdstat_of_a_file_reports_its_open_mode(guest: Guest, rights: int, missing: int) -> None:
    fd = opened(guest, rights=rights)
    expected = ALL_RIGHTS & ~int(missing)
    assert fdstat(guest, fd) == (Filetype.REGULAR_FILE, 0, expected, expected)


@pytest.mark.parametrize("flags", [0, APPEND, NONBLOCK, APPEND | NONBLOCK])
def test_fd_fdstat_set_flags(guest: Guest, flags: int) -> None:
    fd = opened(guest)
    assert guest.call("fd_fdstat_set_flags", fd, flags) == 0
    assert fdstat(guest, fd)[1] == flags


@pytest.mark.parametrize("flags", [DSYNC, RSYNC, SYNC])
def test_fd_fdstat_set_flags_sync_flags_are_inval(guest: Guest, flags: int) -> None:
    fd = opened(guest, fdflags=APPEND)
    assert guest.call("fd_fdstat_set_flags", fd, flags) == INVAL
    assert fdstat(guest, fd)[1] == APPEND


@pytest.mark.parametrize("fd", [0, 1, 3, 99])
def test_fd_fdstat_set_flags_needs_a_file(guest: Guest, fd: int) -> None:
    assert guest.call("fd_fdstat_set_flags", fd, 0) == BADF


def test_fd_fdstat_set_flags_unknown_flag_traps(guest: Guest) -> None:
    assert guest.trap("fd_fdstat_set_flags", 99, 0x20) == [
        "In func wasi_snapshot_preview1::fd_fdstat_set_flags at convert Fdflags: Invalid flag value Fdflags",
        "Invalid flag value Fdflags",
    ]


@pytest.mark.parametrize(("fd", "errno"), [(3, NOTSUP), (0, BADF), (99, BADF)])
def test_fd_fdstat_set_rights(guest: Guest, fd: int, errno: int) -> None:
    assert guest.call("fd_fdstat_set_rights", fd, 0, 0) == errno
    file = opened(guest)
    assert guest.call("fd_fdstat_set_rights", file, RW, RW) == NOTSUP


def test_fd_fdstat_set_rights_unknown_right_traps(guest: Guest) -> None:
    assert guest.trap("fd_fdstat_set_rights", 3, 1 << 30, 0)[1] == "Invalid flag value Rights"
    assert guest.trap("fd_fdstat_set_rights", 3, 0, 1 << 63)[1] == "Int conversion error: TryFromIntError(NegOverflow)"


def test_fd_fdstat_get_result_pointer(guest: Guest) -> None:
    # The record is stored field by field: the u8 type fits, the u16 flags are misaligned.
    assert guest.trap("fd_fdstat_get", 3, 1) == [
        "In func wasi_snapshot_preview1::fd_fdstat_get at write fdstat: Pointer not aligned to 2: Region { start: 3, len: 2 }",
        "Pointer not aligned to 2: Region { start: 3, len: 2 }",
    ]
    assert guest.read(1, 1) == bytes([Filetype.DIRECTORY])


# -- filestat ----------------------------------------------------------------------------


def test_fd_filestat_get_of_a_file(guest: Guest) -> None:
    fd = opened(guest)
    dev, ino, filetype, nlink, size, atim, mtim, _ctim = filestat(guest, fd)
    host = os.stat(guest.sandbox / "f")
    assert (dev, filetype, nlink, size) == (1, Filetype.REGULAR_FILE, 1, 10)
    assert (atim, mtim) == (host.st_atime_ns, host.st_mtime_ns)
    assert ino != host.st_ino  # a hash of the host's (device, inode)


def test_fd_filestat_get_of_stdio_is_all_zero(guest: Guest) -> None:
    assert filestat(guest, 1) == (0, 0, Filetype.UNKNOWN, 0, 0, 0, 0, 0)


def test_fd_filestat_get_inode_is_stable(guest: Guest) -> None:
    first = opened(guest)
    second = opened(guest)
    assert filestat(guest, first)[1] == filestat(guest, second)[1]
    assert filestat(guest, 3)[1] != filestat(guest, first)[1]


def test_fd_filestat_get_bad_fd(guest: Guest) -> None:
    assert guest.call("fd_filestat_get", 99, 304) == BADF


def test_fd_filestat_set_size(guest: Guest) -> None:
    fd = opened(guest)
    assert guest.call("fd_filestat_set_size", fd, 5) == 0
    assert (guest.sandbox / "f").read_bytes() == b"01234"
    assert guest.call("fd_filestat_set_size", fd, 7) == 0
    assert (guest.sandbox / "f").read_bytes() == b"01234\0\0"


@pytest.mark.parametrize(("fd_rights", "size", "errno"), [(RW, 1 << 63, INVAL), (R, 0, INVAL)])
def test_fd_filestat_set_size_errors(guest: Guest, fd_rights: int, size: int, errno: int) -> None:
    fd = opened(guest, rights=fd_rights)
    assert guest.call("fd_filestat_set_size", fd, size) == errno


def test_fd_filestat_set_times(guest: Guest) -> None:
    fd = opened(guest)
    assert guest.call("fd_filestat_set_times", fd, 10**18, 2 * 10**18, ATIM | MTIM) == 0
    host = os.stat(guest.sandbox / "f")
    assert (host.st_atime_ns, host.st_mtime_ns) == (10**18, 2 * 10**18)
    assert guest.call("fd_filestat_set_times", fd, 5, 7, ATIM) == 0  # only the access time
    host = os.stat(guest.sandbox / "f")
    assert (host.st_atime_ns, host.st_mtime_ns) == (5, 2 * 10**18)


def test_fd_filestat_set_times_of_a_preopen(guest: Guest) -> None:
    assert guest.call("fd_filestat_set_times", 3, 10**18, 2 * 10**18, ATIM | MTIM) == 0
    assert os.stat(guest.sandbox).st_mtime_ns == 2 * 10**18


def test_fd_filestat_set_times_now(guest: Guest) -> None:
    fd = opened(guest)
    assert guest.call("fd_filestat_set_times", fd, 0, 0, ATIM_NOW | MTIM_NOW) == 0
    assert os.stat(guest.sandbox / "f").st_mtime_ns > 10**18


@pytest.mark.parametrize("flags", [ATIM | ATIM_NOW, MTIM | MTIM_NOW])
def test_fd_filestat_set_times_time_and_now_is_inval_even_for_a_bad_fd(guest: Guest, flags: int) -> None:
    assert guest.call("fd_filestat_set_times", 99, 10**18, 10**18, flags) == INVAL


@pytest.mark.parametrize(("fd", "errno"), [(0, BADF), (99, BADF)])
def test_fd_filestat_set_times_needs_a_file_or_directory(guest: Guest, fd: int, errno: int) -> None:
    assert guest.call("fd_filestat_set_times", fd, 0, 0, 0) == errno


def test_fd_filestat_set_times_unknown_flag_traps(guest: Guest) -> None:
    assert guest.trap("fd_filestat_set_times", 99, 0, 0, 16)[1] == "Invalid flag value Fstflags"


# -- advise, allocate, sync ---------------------------------------------------------------


@pytest.mark.parametrize("advice", range(6))
def test_fd_advise(guest: Guest, advice: int) -> None:
    fd = opened(guest)
    assert guest.call("fd_advise", fd, 0, 0, advice) == 0


def test_fd_advise_ranges(guest: Guest) -> None:
    fd = opened(guest)
    assert guest.call("fd_advise", fd, 1 << 63, 0, 1) == 0  # past any file: nothing to do
    assert guest.call("fd_advise", fd, 0, 1 << 63, 1) == INVAL


def test_fd_advise_errors(guest: Guest) -> None:
    assert guest.call("fd_advise", 99, 0, 0, 0) == BADF
    assert guest.call("fd_advise", 1, 0, 0, 0) == BADF
    assert guest.trap("fd_advise", 99, 0, 0, 6)[1] == "Invalid enum value Advice"


@pytest.mark.parametrize(("fd", "errno"), [(None, NOTSUP), (1, BADF), (3, BADF), (99, BADF)])
def test_fd_allocate(guest: Guest, fd: int | None, errno: int) -> None:
    target = opened(guest) if fd is None else fd
    assert guest.call("fd_allocate", target, 0, 10) == errno


@pytest.mark.parametrize("name", ["fd_datasync", "fd_sync"])
def test_sync(guest: Guest, name: str) -> None:
    assert guest.call(name, opened(guest)) == 0
    assert guest.call(name, opened(guest, rights=R)) == 0
    assert guest.call(name, 1) == BADF
    assert guest.call(name, 99) == BADF


# -- close and renumber --------------------------------------------------------------------


def test_fd_close(guest: Guest) -> None:
    fd = opened(guest)
    assert guest.call("fd_close", fd) == 0
    assert guest.call("fd_close", fd) == BADF
    assert guest.call("fd_tell", fd, RESULT) == BADF


def test_fd_close_of_a_preopen_is_allowed(guest: Guest) -> None:
    assert guest.call("fd_close", 3) == 0
    assert guest.open("f")[0] == BADF


def test_fd_renumber(guest: Guest) -> None:
    first = opened(guest)
    second = opened(guest, "d/x")
    assert guest.call("fd_seek", first, 4, SET, RESULT) == 0
    assert guest.call("fd_renumber", first, second) == 0
    assert guest.call("fd_tell", second, RESULT) == 0
    assert guest.u64() == 4  # the entry moved, position and all
    assert guest.call("fd_tell", first, RESULT) == BADF


@pytest.mark.parametrize(("source", "target", "errno"), [(4, 4, 0), (4, 99, BADF), (99, 4, BADF), (99, 99, BADF)])
def test_fd_renumber_needs_both_open(guest: Guest, source: int, target: int, errno: int) -> None:
    assert opened(guest) == 4
    assert guest.call("fd_renumber", source, target) == errno
    assert guest.call("fd_tell", 4, RESULT) == 0


def test_fd_renumber_over_stdout(guest: Guest) -> None:
    fd = opened(guest)
    assert guest.call("fd_renumber", fd, 1) == 0
    iovs, count = guest.iovecs(100, b"AB")
    assert guest.call("fd_write", 1, iovs, count, RESULT) == 0
    assert (guest.sandbox / "f").read_bytes() == b"AB23456789"
    assert guest.stdout() == b""


def test_new_descriptors_take_the_highest_freed_number(guest: Guest) -> None:
    fds = [opened(guest, rights=R) for _ in range(4)]
    assert fds == [4, 5, 6, 7]
    assert guest.call("fd_close", 5) == 0
    assert guest.call("fd_close", 6) == 0
    assert [opened(guest, rights=R) for _ in range(3)] == [6, 5, 8]


def test_renumbering_frees_the_source_number(guest: Guest) -> None:
    assert [opened(guest, rights=R) for _ in range(3)] == [4, 5, 6]
    assert guest.call("fd_renumber", 4, 6) == 0
    assert opened(guest, rights=R) == 4


# -- prestat -------------------------------------------------------------------------------


def test_fd_prestat_get(guest: Guest) -> None:
    guest.write(400, b"\xaa" * 8)
    assert guest.call("fd_prestat_get", 3, 400) == 0
    assert guest.read(400, 8) == b"\x00\xaa\xaa\xaa" + struct.pack("<I", 3)  # tag, padding untouched, len("/sb")


@pytest.mark.parametrize("fd", [0, 1, 99])
def test_fd_prestat_get_of_anything_else_is_badf(guest: Guest, fd: int) -> None:
    assert guest.call("fd_prestat_get", fd, 400) == BADF
    assert guest.call("fd_prestat_get", opened(guest), 400) == BADF


def test_fd_prestat_get_result_pointer(guest: Guest) -> None:
    assert guest.trap("fd_prestat_get", 3, 401)[0] == (
        "In func wasi_snapshot_preview1::fd_prestat_get at write prestat: "
        "Pointer not aligned to 4: Region { start: 405, len: 4 }"
    )


def test_fd_prestat_dir_name(guest: Guest) -> None:
    guest.write(400, b"\xaa" * 5)
    assert guest.call("fd_prestat_dir_name", 3, 400, 4) == 0
    assert guest.read(400, 5) == b"/sb\xaa\xaa"  # no terminating NUL


def test_fd_prestat_dir_name_errors(guest: Guest) -> None:
    assert guest.call("fd_prestat_dir_name", 3, 400, 2) == NAMETOOLONG
    assert guest.call("fd_prestat_dir_name", 1, 400, 10) == NOTDIR
    assert guest.call("fd_prestat_dir_name", opened(guest), 400, 10) == NOTDIR
    assert guest.call("fd_prestat_dir_name", 99, 400, 10) == BADF
    assert guest.trap("fd_prestat_dir_name", 3, 65534, 3) == ["Pointer out of bounds: Region { start: 65534, len: 3 }"]


# -- readdir ------------------------------------------------------------------------------


def dirents(data: bytes) -> list[tuple[int, int, bytes]]:
    """(d_next, d_type, name) of each whole entry, and what is left as a last (d_next, -1, rest)."""
    entries = []
    offset = 0
    while offset + 24 <= len(data):
        d_next, _ino, namlen, d_type = struct.unpack_from("<QQIB", data, offset)
        assert data[offset + 21 : offset + 24] == b"\0\0\0"
        entries.append((d_next, d_type, data[offset + 24 : offset + 24 + namlen]))
        offset += 24 + namlen
    if offset < len(data):
        entries.append((0, -1, data[offset:]))
    return entries


def test_fd_readdir_lists_dot_and_dotdot_first(guest: Guest) -> None:
    fd = opened(guest, "d", rights=R)
    assert guest.call("fd_readdir", fd, 500, 1000, 0, RESULT) == 0
    assert dirents(guest.read(500, guest.u32())) == [
        (1, Filetype.DIRECTORY, b"."),
        (2, Filetype.DIRECTORY, b".."),
        (3, Filetype.REGULAR_FILE, b"x"),
    ]


def test_fd_readdir_inodes(guest: Guest) -> None:
    fd = opened(guest, "d", rights=R)
    assert guest.call("fd_readdir", fd, 500, 1000, 0, RESULT) == 0
    dot, dotdot = struct.unpack_from("<Q", guest.read(508, 8))[0], struct.unpack_from("<Q", guest.read(533, 8))[0]
    assert dot == dotdot == filestat(guest, fd)[1]  # ".." is given the directory's own inode, as in Wasmtime


@pytest.mark.parametrize(("cookie", "names"), [(1, [b"..", b"x"]), (2, [b"x"]), (3, []), (100, []), (1 << 63, [])])
def test_fd_readdir_cookies(guest: Guest, cookie: int, names: list[bytes]) -> None:
    fd = opened(guest, "d", rights=R)
    assert guest.call("fd_readdir", fd, 500, 1000, cookie, RESULT) == 0
    assert [name for _, _, name in dirents(guest.read(500, guest.u32()))] == names


@pytest.mark.parametrize(("size", "last"), [(0, None), (10, 10), (24, 0), (25, 1), (26, 0), (30, 4)])
def test_fd_readdir_fills_the_buffer_and_cuts_the_last_entry(guest: Guest, size: int, last: int | None) -> None:
    fd = opened(guest, "d", rights=R)
    guest.write(500, b"\xaa" * 100)
    assert guest.call("fd_readdir", fd, 500, size, 0, RESULT) == 0
    assert guest.u32() == size  # a full buffer means "there may be more"
    assert guest.read(500 + size, 1) == b"\xaa"


def test_fd_readdir_of_a_preopen(guest: Guest) -> None:
    assert guest.call("fd_readdir", 3, 500, 1000, 0, RESULT) == 0
    names = sorted(name for _, _, name in dirents(guest.read(500, guest.u32())))
    assert names == [b".", b"..", b"d", b"f"]


@pytest.mark.parametrize("fd", [0, 1, 99])
def test_fd_readdir_needs_a_directory(guest: Guest, fd: int) -> None:
    assert guest.call("fd_readdir", fd, 500, 1000, 0, RESULT) == BADF
    assert guest.call("fd_readdir", opened(guest), 500, 1000, 0, RESULT) == BADF


def test_fd_readdir_buffer_out_of_bounds(guest: Guest) -> None:
    fd = opened(guest, "d", rights=R)
    assert guest.trap("fd_readdir", fd, 65530, 1000, 0, RESULT) == [
        "Pointer out of bounds: Region { start: 65530, len: 24 }"
    ]


def test_opening_a_directory_for_writing_is_isdir(guest: Guest) -> None:
    assert guest.open("d", rights=RW) == (ISDIR, None)


def test_fd_readdir_sees_changes_between_calls(guest: Guest) -> None:
    fd = opened(guest, "d", rights=R)
    assert guest.call("fd_readdir", fd, 500, 1000, 2, RESULT) == 0
    assert [name for _, _, name in dirents(guest.read(500, guest.u32()))] == [b"x"]
    (guest.sandbox / "d" / "x").unlink()
    (guest.sandbox / "d" / "y").write_bytes(b"")
    assert guest.call("fd_readdir", fd, 500, 1000, 2, RESULT) == 0  # a continuation lists afresh too
    assert [name for _, _, name in dirents(guest.read(500, guest.u32()))] == [b"y"]
