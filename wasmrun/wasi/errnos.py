"""Host errors as WASI errnos: the one translation, Wasmtime's.

Wasmtime maps a host ``errno`` through a fixed table and everything else by the
Rust ``io::ErrorKind`` of the error (NotFound, PermissionDenied, AlreadyExists,
InvalidInput), and then to EIO.  So, for instance, EROFS, EXDEV, EMFILE or
EAGAIN reach the guest as ``io``.
"""

from __future__ import annotations

import errno

from wasmrun.wasi.abi import Errno

_BY_HOST_ERRNO: dict[int, Errno] = {
    errno.EPIPE: Errno.PIPE,
    errno.EPERM: Errno.PERM,
    errno.ENOENT: Errno.NOENT,
    errno.ENOMEM: Errno.NOMEM,
    errno.EIO: Errno.IO,
    errno.EBADF: Errno.BADF,
    errno.EBUSY: Errno.BUSY,
    errno.EACCES: Errno.ACCES,
    errno.ENOTDIR: Errno.NOTDIR,
    errno.EISDIR: Errno.ISDIR,
    errno.EINVAL: Errno.INVAL,
    errno.EEXIST: Errno.EXIST,
    errno.EFBIG: Errno.FBIG,
    errno.ENOSPC: Errno.NOSPC,
    errno.ESPIPE: Errno.SPIPE,
    errno.EMLINK: Errno.MLINK,
    errno.ENAMETOOLONG: Errno.NAMETOOLONG,
    errno.ENOTEMPTY: Errno.NOTEMPTY,
    errno.ELOOP: Errno.LOOP,
    errno.EOVERFLOW: Errno.OVERFLOW,
    errno.EILSEQ: Errno.ILSEQ,
    errno.ENOTSUP: Errno.NOTSUP,
    errno.EOPNOTSUPP: Errno.NOTSUP,
    errno.EALREADY: Errno.ALREADY,
    errno.EINPROGRESS: Errno.INPROGRESS,
    errno.EINTR: Errno.INTR,
}


def errno_of(error: OSError) -> int:
    """The WASI errno a host error reaches the guest as."""
    code = error.errno
    if code is None:
        return Errno.IO
    return _BY_HOST_ERRNO.get(code, Errno.IO)
