"""The sandbox: nothing outside a preopened directory can be reached, everything inside can.

Layout (``root`` is the test's temporary directory, ``sb`` the preopen ``/sb``,
guest fd 3)::

    root/outside            "secret"
    root/odir/inner         "inner"
    root/sb/f               "0123456789"
    root/sb/d/x, d/sub/, e/
    root/sb/lf -> f,  ld -> d,  c1 -> c2 -> c3 -> f,  d/up -> ../f,  ldx -> d/./x
    root/sb/lout -> ../outside,  labs -> <root>/outside,  labsin -> <root>/sb/f
    root/sb/ldotdot -> ..,  lescdir -> ../sb,  lrootdir -> /,  lodir -> ../odir
    root/sb/d/esc -> ../../outside,  loop1 <-> loop2,  lself -> lself
    root/sb/lnew -> ../new (dangling, outside)

Every escape attempt is refused with the errno Wasmtime gives (checked against
wasmtime-py with ``WASMRUN_WASI_ORACLE=1``) and leaves everything outside the
sandbox as it was; every legitimate operation succeeds.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from wasi_harness import RESULT, RW, SCRATCH, Guest, R, mine_only

from wasmrun.wasi import sandbox

PERM, EXIST, LOOP, NOENT, NOTDIR = 63, 20, 32, 44, 54
CREAT, DIRECTORY, EXCL = 1, 2, 4


def build(root: Path) -> None:
    (root / "outside").write_bytes(b"secret")
    (root / "odir").mkdir()
    (root / "odir" / "inner").write_bytes(b"inner")
    sb = root / "sb"
    sb.mkdir()
    (sb / "f").write_bytes(b"0123456789")
    (sb / "d").mkdir()
    (sb / "d" / "x").write_bytes(b"x")
    (sb / "d" / "sub").mkdir()
    (sb / "e").mkdir()
    links = {
        "lf": "f",
        "ld": "d",
        "c1": "c2",
        "c2": "c3",
        "c3": "f",
        "d/up": "../f",
        "ldx": "d/./x",
        "lout": "../outside",
        "labs": str(root / "outside"),
        "labsin": str(root / "sb" / "f"),
        "ldotdot": "..",
        "lescdir": "../sb",
        "lrootdir": "/",
        "lodir": "../odir",
        "d/esc": "../../outside",
        "loop1": "loop2",
        "loop2": "loop1",
        "lself": "lself",
        "lnew": "../new",
    }
    for name, target in links.items():
        os.symlink(target, sb / name)


def outside_state(root: Path) -> list[tuple[str, object, int]]:
    """Everything outside ``sb``: names, contents or link targets, modification times."""
    state: list[tuple[str, object, int]] = []
    for directory, names, files in os.walk(root):
        relative = os.path.relpath(directory, root)
        if relative == "sb" or relative.startswith("sb" + os.sep):
            continue
        for name in sorted(names + files):
            path = os.path.join(directory, name)
            if relative == "." and name == "sb":
                state.append(("sb", "dir", os.lstat(path).st_mtime_ns))
                continue
            info = os.lstat(path)
            content: object = "dir" if os.path.isdir(path) else Path(path).read_bytes()
            state.append((os.path.relpath(path, root), content, info.st_mtime_ns))
    return state


@pytest.fixture
def guest(tmp_path: Path) -> Iterator[Guest]:
    build(tmp_path)
    g = Guest(tmp_path)
    yield g
    g.close()


def read_all(guest: Guest, fd: int) -> bytes:
    guest.write(4000, struct.pack("<II", 4008, 4096))
    assert guest.call("fd_read", fd, 4000, 1, RESULT) == 0
    return guest.read(4008, guest.u32())


# -- escape attempts -----------------------------------------------------------------------------

OPEN_ESCAPES = [
    ("../outside", 0, PERM),  # ".." above the preopen
    ("..", 0, PERM),  # the preopen's parent itself
    ("/etc/passwd", 0, PERM),  # absolute path
    ("/f", 0, PERM),  # absolute, even naming something inside
    ("d/../../outside", 0, PERM),  # ".." that climbs back out
    ("d/sub/../../../outside", 0, PERM),
    ("lout", 0, PERM),  # relative symlink pointing out
    ("labs", 0, PERM),  # absolute symlink pointing out
    ("labsin", 0, PERM),  # absolute symlink, even to a file inside
    ("d/esc", 0, PERM),  # nested relative symlink pointing out
    ("ldotdot/outside", 0, PERM),  # symlink to ".." used as a directory
    ("lescdir/f", 0, PERM),  # a symlink that leaves and comes back in
    ("lrootdir", 0, PERM),  # symlink to "/"
    ("lodir/", 0, PERM),  # trailing slash: the kernel would follow it, we must not
    ("lodir/.", 0, PERM),
    ("lodir/inner", 0, PERM),
    ("ldotdot/odir/inner", 0, PERM),
    ("loop1", 0, LOOP),  # symlink loops
    ("lself", 0, LOOP),
    ("loop1/x", 0, LOOP),
    ("../new", CREAT, PERM),  # creating outside
    ("lnew", CREAT, PERM),  # creating through a dangling symlink that points out
    ("lout", CREAT, PERM),
    ("lodir/created", CREAT, PERM),
]


@pytest.mark.parametrize(("path", "oflags", "errno"), OPEN_ESCAPES)
def test_path_open_escapes_are_refused(guest: Guest, path: str, oflags: int, errno: int) -> None:
    before = outside_state(guest.root)
    assert guest.open(path, oflags, RW) == (errno, None)
    assert outside_state(guest.root) == before
    assert not (guest.root / "new").exists()


def test_a_directory_descriptor_is_a_sandbox_of_its_own(guest: Guest) -> None:
    errno, d = guest.open("d", rights=R)
    assert errno == 0 and d is not None
    assert guest.open("../f", dirfd=d) == (PERM, None)  # inside the preopen, but above `d`
    assert guest.open("up", dirfd=d) == (PERM, None)
    assert guest.open("x", dirfd=d)[0] == 0


def test_symlink_chain_longer_than_40_is_loop(guest: Guest) -> None:
    for index in range(41):
        os.symlink(f"chain{index + 1}", guest.sandbox / f"chain{index}")
    (guest.sandbox / "chain41").write_bytes(b"end")
    assert guest.open("chain1")[0] == 0  # 40 expansions
    assert guest.open("chain0") == (LOOP, None)  # 41


def test_final_symlink_not_followed_without_the_flag(guest: Guest) -> None:
    assert guest.open("lout", follow=False) == (LOOP, None)
    assert guest.open("lf", follow=False) == (LOOP, None)


ESCAPES = [
    ("path_create_directory", ("../newdir",), PERM),
    ("path_create_directory", ("ldotdot/newdir",), PERM),
    ("path_create_directory", ("/newdir",), PERM),
    ("path_remove_directory", ("../odir",), PERM),
    ("path_remove_directory", ("lodir/",), PERM),
    ("path_unlink_file", ("../outside",), PERM),
    ("path_unlink_file", ("ldotdot/outside",), PERM),
    ("path_unlink_file", ("lodir/inner",), PERM),
    ("path_filestat_get", (1, "../outside"), PERM),
    ("path_filestat_get", (1, "lout"), PERM),
    ("path_filestat_get", (1, "lrootdir"), PERM),
    ("path_filestat_get", (1, "loop2"), LOOP),
    ("path_filestat_set_times", (1, "lout"), PERM),
    ("path_filestat_set_times", (0, "../outside"), PERM),
    ("path_readlink", ("labs",), PERM),  # an absolute target is never shown
    ("path_readlink", ("labsin",), PERM),
    ("path_readlink", ("ldotdot/sb/lf",), PERM),
]


def call_path_function(guest: Guest, name: str, args: tuple[object, ...]) -> int:
    if name == "path_filestat_get":
        follow, path = args
        pointer, length = guest.string(str(path))
        return guest.call(name, 3, int(follow), pointer, length, 304)  # type: ignore[call-overload]
    if name == "path_filestat_set_times":
        follow, path = args
        pointer, length = guest.string(str(path))
        return guest.call(name, 3, int(follow), pointer, length, 10**18, 10**18, 1 | 4)  # type: ignore[call-overload]
    if name == "path_readlink":
        return guest.path(name, 3, str(args[0]), 2000, 100, RESULT)
    return guest.path(name, 3, str(args[0]))


@pytest.mark.parametrize(("name", "args", "errno"), ESCAPES)
def test_path_function_escapes_are_refused(guest: Guest, name: str, args: tuple[object, ...], errno: int) -> None:
    before = outside_state(guest.root)
    guest.write(2000, bytes(100))
    assert call_path_function(guest, name, args) == errno
    assert outside_state(guest.root) == before
    assert not (guest.root / "newdir").exists()
    assert guest.read(2000, 100) == bytes(100)  # nothing read back


def two_paths(guest: Guest, name: str, old: str, new: str, new_fd: int = 3) -> int:
    old_pointer, old_length = guest.string(old, SCRATCH)
    new_pointer, new_length = guest.string(new, SCRATCH + 512)
    if name == "path_rename":
        return guest.call(name, 3, old_pointer, old_length, new_fd, new_pointer, new_length)
    if name == "path_link":
        return guest.call(name, 3, 0, old_pointer, old_length, new_fd, new_pointer, new_length)
    return guest.call(name, old_pointer, old_length, 3, new_pointer, new_length)  # path_symlink


@pytest.mark.parametrize(
    ("name", "old", "new", "errno"),
    [
        ("path_rename", "f", "../moved", PERM),  # out of the sandbox
        ("path_rename", "../outside", "stolen", PERM),  # into it
        ("path_rename", "lout", "ldotdot/moved", PERM),
        ("path_rename", "d", "lodir/d", PERM),
        ("path_link", "../outside", "hard", PERM),
        ("path_link", "f", "../hard", PERM),
        ("path_link", "ldotdot/outside", "hard", PERM),
        ("path_symlink", "/etc/passwd", "abs", PERM),  # an absolute target is refused outright
        ("path_symlink", "f", "../link", PERM),
        ("path_symlink", "f", "lodir/link", PERM),
    ],
)
def test_two_path_escapes_are_refused(guest: Guest, name: str, old: str, new: str, errno: int) -> None:
    before = outside_state(guest.root)
    inside = sorted(os.listdir(guest.sandbox))
    assert two_paths(guest, name, old, new) == errno
    assert outside_state(guest.root) == before
    assert sorted(os.listdir(guest.sandbox)) == inside


def test_an_escaping_symlink_can_be_made_but_not_followed(guest: Guest) -> None:
    assert two_paths(guest, "path_symlink", "../outside", "mine") == 0
    assert os.readlink(guest.sandbox / "mine") == "../outside"
    assert guest.open("mine") == (PERM, None)
    assert guest.path("path_unlink_file", 3, "mine") == 0
    assert (guest.root / "outside").read_bytes() == b"secret"


# -- legitimate operations -------------------------------------------------------------------------

READABLE = [
    ("f", b"0123456789"),
    ("./f", b"0123456789"),
    ("d/x", b"x"),
    ("d//x", b"x"),
    ("d/./x", b"x"),
    ("d/../f", b"0123456789"),  # ".." that stays inside
    ("d/sub/../../f", b"0123456789"),
    ("lf", b"0123456789"),  # symlink inside
    ("c1", b"0123456789"),  # symlink chain
    ("d/up", b"0123456789"),  # relative symlink going up, staying inside
    ("ld/x", b"x"),  # symlink as a directory
    ("ld/../f", b"0123456789"),  # ".." after a symlinked directory: the target's parent
    ("ldx", b"x"),
]


@pytest.mark.parametrize(("path", "content"), READABLE)
def test_paths_inside_resolve(guest: Guest, path: str, content: bytes) -> None:
    errno, fd = guest.open(path, rights=R)
    assert errno == 0 and fd is not None
    assert read_all(guest, fd) == content


@pytest.mark.parametrize("path", [".", "d", "d/", "d/.", "ld/", "d/sub/..", "e/."])
def test_directories_inside_open(guest: Guest, path: str) -> None:
    errno, fd = guest.open(path, DIRECTORY, rights=R)
    assert errno == 0 and fd is not None
    assert guest.call("fd_readdir", fd, 2000, 100, 0, RESULT) == 0


def test_create_write_and_read_back(guest: Guest) -> None:
    errno, fd = guest.open("d/new", CREAT | EXCL, RW)
    assert errno == 0 and fd is not None
    iovs, count = guest.iovecs(100, b"made here")
    assert guest.call("fd_write", fd, iovs, count, RESULT) == 0
    assert (guest.sandbox / "d" / "new").read_bytes() == b"made here"
    assert guest.open("d/new", CREAT | EXCL, RW) == (EXIST, None)


def test_nested_directories(guest: Guest) -> None:
    assert guest.path("path_create_directory", 3, "n1") == 0
    assert guest.path("path_create_directory", 3, "n1/n2/") == 0
    assert guest.path("path_create_directory", 3, "ld/n3") == 0
    assert (guest.sandbox / "n1" / "n2").is_dir()
    assert (guest.sandbox / "d" / "n3").is_dir()
    assert guest.path("path_remove_directory", 3, "n1/n2") == 0
    assert guest.path("path_remove_directory", 3, "n1") == 0
    assert not (guest.sandbox / "n1").exists()


def test_rename_within(guest: Guest) -> None:
    assert two_paths(guest, "path_rename", "f", "d/sub/moved") == 0
    assert (guest.sandbox / "d" / "sub" / "moved").read_bytes() == b"0123456789"
    assert two_paths(guest, "path_rename", "d/sub", "e/sub2") == 0
    assert (guest.sandbox / "e" / "sub2" / "moved").exists()


def test_rename_between_two_directory_descriptors(guest: Guest) -> None:
    errno, d = guest.open("d", rights=R)
    assert errno == 0 and d is not None
    assert two_paths(guest, "path_rename", "f", "from-preopen", new_fd=d) == 0
    assert (guest.sandbox / "d" / "from-preopen").exists()


def test_hard_link_within(guest: Guest) -> None:
    assert two_paths(guest, "path_link", "f", "d/hard") == 0
    assert os.stat(guest.sandbox / "f").st_nlink == 2
    assert (guest.sandbox / "d" / "hard").read_bytes() == b"0123456789"


def test_symlink_inside_then_follow_and_read_it(guest: Guest) -> None:
    assert two_paths(guest, "path_symlink", "../f", "d/back") == 0
    errno, fd = guest.open("d/back", rights=R)
    assert errno == 0 and fd is not None
    assert read_all(guest, fd) == b"0123456789"
    assert guest.path("path_readlink", 3, "d/back", 2000, 100, RESULT) == 0
    assert guest.read(2000, guest.u32()) == b"../f"


def test_readlink_of_a_relative_escaping_link_shows_it(guest: Guest) -> None:
    assert guest.path("path_readlink", 3, "lout", 2000, 100, RESULT) == 0
    assert guest.read(2000, guest.u32()) == b"../outside"  # only reading through it is refused


def test_unlink_a_symlink_pointing_out_removes_the_link_only(guest: Guest) -> None:
    assert guest.path("path_unlink_file", 3, "lout") == 0
    assert guest.path("path_unlink_file", 3, "labs") == 0
    assert (guest.root / "outside").read_bytes() == b"secret"


def test_stat_a_symlink_without_following(guest: Guest) -> None:
    pointer, length = guest.string("lout")
    assert guest.call("path_filestat_get", 3, 0, pointer, length, 304) == 0
    assert guest.read(304 + 16, 1) == bytes([7])  # the link itself: a symbolic link


def test_through_a_second_preopen_of_the_same_tree(tmp_path: Path) -> None:
    build(tmp_path)
    g = Guest(tmp_path, preopens=[(str(tmp_path / "sb"), "/sb"), (str(tmp_path / "sb" / "d"), "/d")])
    try:
        assert g.open("x", rights=R, dirfd=4)[0] == 0
        assert g.open("../f", rights=R, dirfd=4) == (PERM, None)
        assert two_paths(g, "path_rename", "f", "moved-to-d", new_fd=4) == 0
        assert (tmp_path / "sb" / "d" / "moved-to-d").exists()
    finally:
        g.close()


# -- the resolver itself (wasmrun's) ------------------------------------------------------------


@mine_only
@pytest.mark.parametrize(
    ("path", "head", "name"),
    [
        (b"a/b/c", b"a/b", b"c"),
        (b"a", b"", b"a"),
        (b"a/", b"a/", b"."),
        (b"a/.", b"a/.", b"."),
        (b".", b"", b"."),
        (b"..", b"..", b"."),
        (b"../a", b"..", b"a"),
        (b"a/..", b"a/..", b"."),
        (b"/a", b"/", b"a"),
        (b"a//b", b"a", b"b"),
    ],
)
def test_split_parent(path: bytes, head: bytes, name: bytes) -> None:
    assert sandbox.split_parent(path) == (head, name)


@mine_only
def test_the_resolver_never_opens_a_path_with_the_host_resolution(
    guest: Guest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every ``os.open`` the resolver makes names one component relative to a directory descriptor."""
    real_open = os.open
    seen: list[tuple[bytes, int | None]] = []

    def spy(path: bytes, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        seen.append((path, dir_fd))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(sandbox.os, "open", spy)
    start = guest.context.table.get(3).host_fd  # type: ignore[union-attr]
    fd = sandbox.open_beneath(start, b"ld/../c1", os.O_RDONLY, follow=True)
    os.close(fd)
    assert seen and all(dir_fd is not None and b"/" not in path for path, dir_fd in seen)


def test_long_walks_hold_few_descriptors(guest: Guest) -> None:
    # Each "d/../" enters and leaves a directory; the walk must not pile up descriptors.
    errno, fd = guest.open("d/../" * 800 + "f", rights=R)
    assert errno == 0 and fd is not None
    assert read_all(guest, fd) == b"0123456789"


@pytest.mark.parametrize("length", [4096, 5000])
def test_paths_of_4096_bytes_or_more_are_nametoolong(guest: Guest, length: int) -> None:
    path = ("d/../" * 1000 + "f").rjust(length, "/")[-length:]
    assert guest.open(path) == (37, None)
    assert guest.open("./" * 2046 + "f", rights=R)[0] == 0  # 4093 bytes: fine
