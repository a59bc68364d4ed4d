"""The ``path_*`` functions: everything that names a file by a path beneath a directory fd.

Paths are resolved by :mod:`wasmrun.wasi.sandbox` (never by the host's own
resolution from its root); the operations on the last component are cap-std's,
as Wasmtime does them:

- ``path_open``: the path is read first, then the directory fd checked (a file
  there is NOTDIR); ``fdflags`` DSYNC/RSYNC/SYNC are NOTSUP; ``oflags``
  DIRECTORY with CREAT, EXCL or TRUNC is INVAL; CREAT or TRUNC open for writing,
  the rights FD_READ/FD_WRITE choose the access mode (neither: read-only);
  EXCL without CREAT is ignored; a final symbolic link is followed only with
  ``lookupflags.symlink_follow`` (otherwise LOOP), a directory opened for
  writing is ISDIR;
- ``path_link`` with ``symlink_follow`` is INVAL; ``path_symlink`` to an
  absolute target is PERM (it could only ever lead outside);
- ``path_readlink`` truncates the target to the buffer and reports the count;
  an absolute target is PERM (cap-std never reveals one);
- ``path_unlink_file`` is the one path function that does not charge the
  path to the call's fuel;
- beneath a read-only preopen, whatever would change the file system is PERM
  (``path_open`` for writing, creating or truncating included), once the
  path is read.
"""

from __future__ import annotations

import os
import stat

from wasmrun.wasi.abi import ALL_RIGHTS, Errno, Fdflags, Fstflags, Lookupflags, Oflags, Rights
from wasmrun.wasi.base import ContextBase, Fail, lift_flags, read_path, store_u32, wasi_function
from wasmrun.wasi.fdtable import DirectoryEntry, FileEntry
from wasmrun.wasi.files import FdFunctions, store_filestat, timestamps
from wasmrun.wasi.guest import GuestMemory
from wasmrun.wasi.metadata import filetype
from wasmrun.wasi.sandbox import (
    escape,
    open_beneath,
    parent_of,
    set_times_beneath,
    stat_beneath,
    strip_directory_suffix,
)

_LOOKUPFLAGS = sum(Lookupflags)
_OFLAGS = sum(Oflags)
_FDFLAGS = sum(Fdflags)
_FSTFLAGS = sum(Fstflags)
_SYNC_FLAGS = Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC


def _lookupflags(value: int, function: str) -> bool:
    """Lift a ``lookupflags`` argument; True when it asks to follow a final symbolic link."""
    return bool(lift_flags(value, 32, 0xFFFFFFFF, _LOOKUPFLAGS, function, "Lookupflags"))


class PathFunctions(FdFunctions, ContextBase):
    @wasi_function
    def path_create_directory(self, guest: GuestMemory, fd: int, path: int, path_len: int) -> int:
        directory = self.directory(fd)
        name = strip_directory_suffix(read_path(self, guest, path, path_len))
        self.require_mutable(directory)
        with parent_of(directory.host_fd, name) as (parent, last):
            os.mkdir(last, 0o777, dir_fd=parent)
        return 0

    @wasi_function
    def path_filestat_get(
        self, guest: GuestMemory, fd: int, flags: int, path: int, path_len: int, filestat_out: int
    ) -> int:
        follow = _lookupflags(flags, "path_filestat_get")
        directory = self.directory(fd)
        name = read_path(self, guest, path, path_len)
        host = stat_beneath(directory.host_fd, name, follow=follow)
        store_filestat(guest, filestat_out, host, filetype(host.mode), "path_filestat_get")
        return 0

    @wasi_function
    def path_filestat_set_times(
        self, guest: GuestMemory, fd: int, flags: int, path: int, path_len: int, atim: int, mtim: int, fst_flags: int
    ) -> int:
        follow = _lookupflags(flags, "path_filestat_set_times")
        fst_flags = lift_flags(fst_flags, 32, 0xFFFF, _FSTFLAGS, "path_filestat_set_times", "Fstflags")
        access, modify = timestamps(fst_flags, atim, mtim)
        directory = self.directory(fd)
        name = read_path(self, guest, path, path_len)
        self.require_mutable(directory)
        set_times_beneath(directory.host_fd, name, follow, access, modify)
        return 0

    @wasi_function
    def path_link(
        self,
        guest: GuestMemory,
        old_fd: int,
        old_flags: int,
        old_path: int,
        old_path_len: int,
        new_fd: int,
        new_path: int,
        new_path_len: int,
    ) -> int:
        follow = _lookupflags(old_flags, "path_link")
        old_directory = self.directory(old_fd)
        new_directory = self.directory(new_fd)
        old_name = read_path(self, guest, old_path, old_path_len)
        new_name = read_path(self, guest, new_path, new_path_len)
        if follow:
            raise Fail(Errno.INVAL)
        self.require_mutable(old_directory)
        self.require_mutable(new_directory)
        with (
            parent_of(old_directory.host_fd, old_name) as (old_parent, old_last),
            parent_of(new_directory.host_fd, new_name) as (new_parent, new_last),
        ):
            os.link(old_last, new_last, src_dir_fd=old_parent, dst_dir_fd=new_parent, follow_symlinks=False)
        return 0

    @wasi_function
    def path_open(
        self,
        guest: GuestMemory,
        fd: int,
        dirflags: int,
        path: int,
        path_len: int,
        oflags: int,
        rights_base: int,
        rights_inheriting: int,
        fdflags: int,
        fd_out: int,
    ) -> int:
        follow = _lookupflags(dirflags, "path_open")
        oflags = lift_flags(oflags, 32, 0xFFFF, _OFLAGS, "path_open", "Oflags")
        rights_base = lift_flags(rights_base, 64, (1 << 64) - 1, ALL_RIGHTS, "path_open", "Rights")
        lift_flags(rights_inheriting, 64, (1 << 64) - 1, ALL_RIGHTS, "path_open", "Rights")
        fdflags = lift_flags(fdflags, 32, 0xFFFF, _FDFLAGS, "path_open", "Fdflags")
        name = read_path(self, guest, path, path_len)
        entry = self.table.get(fd)
        if isinstance(entry, FileEntry):
            raise Fail(Errno.NOTDIR)
        if not isinstance(entry, DirectoryEntry):
            raise Fail(Errno.BADF)

        write = bool(oflags & (Oflags.CREAT | Oflags.TRUNC) or rights_base & Rights.FD_WRITE)
        read = bool(rights_base & Rights.FD_READ or not rights_base & Rights.FD_WRITE)
        if fdflags & _SYNC_FLAGS:
            raise Fail(Errno.NOTSUP)
        if oflags & Oflags.DIRECTORY and oflags & (Oflags.CREAT | Oflags.EXCL | Oflags.TRUNC):
            raise Fail(Errno.INVAL)
        flags = os.O_RDWR if read and write else os.O_WRONLY if write else os.O_RDONLY
        if oflags & Oflags.CREAT:
            flags |= os.O_CREAT | os.O_EXCL if oflags & Oflags.EXCL else os.O_CREAT
            if oflags & Oflags.TRUNC and not oflags & Oflags.EXCL:
                flags |= os.O_TRUNC
        elif oflags & Oflags.TRUNC:
            flags |= os.O_TRUNC
        if write:
            self.require_mutable(entry)

        host_fd = open_beneath(entry.host_fd, name, flags, follow=follow)
        try:
            mode = os.fstat(host_fd).st_mode
            if stat.S_ISDIR(mode):
                opened: DirectoryEntry | FileEntry = DirectoryEntry(host_fd, read_only=entry.read_only)
            elif oflags & Oflags.DIRECTORY:
                raise Fail(Errno.NOTDIR)
            else:
                opened = FileEntry(
                    host_fd,
                    readable=read,
                    writable=write,
                    append=bool(fdflags & Fdflags.APPEND),
                    nonblock=bool(fdflags & Fdflags.NONBLOCK),
                    read_only=entry.read_only,
                )
        except BaseException:
            os.close(host_fd)
            raise
        store_u32(guest, fd_out, self.table.push(opened), "path_open", "fd")
        return 0

    @wasi_function
    def path_readlink(
        self, guest: GuestMemory, fd: int, path: int, path_len: int, buf: int, buf_len: int, size_out: int
    ) -> int:
        directory = self.directory(fd)
        name = read_path(self, guest, path, path_len)
        with parent_of(directory.host_fd, name) as (parent, last):
            target = os.readlink(last, dir_fd=parent)
        if target.startswith(b"/"):
            raise escape()  # cap-std will not show an absolute target: it names something outside
        try:
            target.decode("utf-8")
        except UnicodeDecodeError:
            raise Fail(Errno.ILSEQ) from None
        target = target[:buf_len]
        guest.write_bytes(buf, target)
        store_u32(guest, size_out, len(target), "path_readlink", "size")
        return 0

    @wasi_function
    def path_remove_directory(self, guest: GuestMemory, fd: int, path: int, path_len: int) -> int:
        directory = self.directory(fd)
        name = read_path(self, guest, path, path_len)
        self.require_mutable(directory)
        with parent_of(directory.host_fd, name) as (parent, last):
            os.rmdir(last, dir_fd=parent)
        return 0

    @wasi_function
    def path_rename(
        self,
        guest: GuestMemory,
        fd: int,
        old_path: int,
        old_path_len: int,
        new_fd: int,
        new_path: int,
        new_path_len: int,
    ) -> int:
        old_directory = self.directory(fd)
        new_directory = self.directory(new_fd)
        old_name = read_path(self, guest, old_path, old_path_len)
        new_name = read_path(self, guest, new_path, new_path_len)
        self.require_mutable(old_directory)
        self.require_mutable(new_directory)
        old_slash = old_name.endswith(b"/")
        old_name = strip_directory_suffix(old_name)
        new_name = strip_directory_suffix(new_name)
        with (
            parent_of(old_directory.host_fd, old_name) as (old_parent, old_last),
            parent_of(new_directory.host_fd, new_name) as (new_parent, new_last),
        ):
            if old_slash:
                old_last += b"/"
            os.rename(old_last, new_last, src_dir_fd=old_parent, dst_dir_fd=new_parent)
        return 0

    @wasi_function
    def path_symlink(
        self, guest: GuestMemory, old_path: int, old_path_len: int, fd: int, new_path: int, new_path_len: int
    ) -> int:
        directory = self.directory(fd)
        target = read_path(self, guest, old_path, old_path_len)
        name = read_path(self, guest, new_path, new_path_len)
        self.require_mutable(directory)
        if target.startswith(b"/"):
            raise escape()
        with parent_of(directory.host_fd, name) as (parent, last):
            if b"\0" in target:
                raise Fail(Errno.INVAL)
            os.symlink(target, last, dir_fd=parent)
        return 0

    @wasi_function
    def path_unlink_file(self, guest: GuestMemory, fd: int, path: int, path_len: int) -> int:
        directory = self.directory(fd)
        name = read_path(self, guest, path, path_len, charge=False)
        self.require_mutable(directory)
        with parent_of(directory.host_fd, name) as (parent, last):
            os.unlink(last, dir_fd=parent)
        return 0
