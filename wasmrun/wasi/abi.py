"""The WASI preview1 ABI (``wasi_snapshot_preview1``): numbers, layouts and signatures.

Everything here is data from the witx specification (``typenames.witx`` and
``wasi_snapshot_preview1.witx``, as generated into wasi-libc's ``wasi/api.h``):
the 77 errno values, the enums and flag sets, the byte layouts of the records
the functions read and write, and the core-wasm signature of each of the 46
functions as Wasmtime exports them (pointers and sizes are i32, 64-bit values
i64, every function returns its errno as an i32 except ``proc_exit``).

Names follow the specification, upper-cased; the one spec name that is not a
Python identifier, errno ``2big``, is spelt ``TOOBIG`` (``spec_name`` gives the
spec's spelling).
"""

from __future__ import annotations

import enum

# The functions' names and core-wasm types live apart (a run checks a module's imports against them
# without creating the enums below); they are part of this ABI, so they are importable from here too.
from wasmrun.wasi.signatures import FUNCTION_SIGNATURES as FUNCTION_SIGNATURES
from wasmrun.wasi.signatures import FUNCTION_TYPES as FUNCTION_TYPES
from wasmrun.wasi.signatures import MODULE_NAME as MODULE_NAME


class Errno(enum.IntEnum):
    """``errno``: a u16, 0 for success."""

    SUCCESS = 0
    TOOBIG = 1
    ACCES = 2
    ADDRINUSE = 3
    ADDRNOTAVAIL = 4
    AFNOSUPPORT = 5
    AGAIN = 6
    ALREADY = 7
    BADF = 8
    BADMSG = 9
    BUSY = 10
    CANCELED = 11
    CHILD = 12
    CONNABORTED = 13
    CONNREFUSED = 14
    CONNRESET = 15
    DEADLK = 16
    DESTADDRREQ = 17
    DOM = 18
    DQUOT = 19
    EXIST = 20
    FAULT = 21
    FBIG = 22
    HOSTUNREACH = 23
    IDRM = 24
    ILSEQ = 25
    INPROGRESS = 26
    INTR = 27
    INVAL = 28
    IO = 29
    ISCONN = 30
    ISDIR = 31
    LOOP = 32
    MFILE = 33
    MLINK = 34
    MSGSIZE = 35
    MULTIHOP = 36
    NAMETOOLONG = 37
    NETDOWN = 38
    NETRESET = 39
    NETUNREACH = 40
    NFILE = 41
    NOBUFS = 42
    NODEV = 43
    NOENT = 44
    NOEXEC = 45
    NOLCK = 46
    NOLINK = 47
    NOMEM = 48
    NOMSG = 49
    NOPROTOOPT = 50
    NOSPC = 51
    NOSYS = 52
    NOTCONN = 53
    NOTDIR = 54
    NOTEMPTY = 55
    NOTRECOVERABLE = 56
    NOTSOCK = 57
    NOTSUP = 58
    NOTTY = 59
    NXIO = 60
    OVERFLOW = 61
    OWNERDEAD = 62
    PERM = 63
    PIPE = 64
    PROTO = 65
    PROTONOSUPPORT = 66
    PROTOTYPE = 67
    RANGE = 68
    ROFS = 69
    SPIPE = 70
    SRCH = 71
    STALE = 72
    TIMEDOUT = 73
    TXTBSY = 74
    XDEV = 75
    NOTCAPABLE = 76

    @property
    def spec_name(self) -> str:
        return "2big" if self is Errno.TOOBIG else self.name.lower()


class Clockid(enum.IntEnum):
    """``clockid``: a u32 enum."""

    REALTIME = 0
    MONOTONIC = 1
    PROCESS_CPUTIME_ID = 2
    THREAD_CPUTIME_ID = 3


class Filetype(enum.IntEnum):
    """``filetype``: a u8 enum."""

    UNKNOWN = 0
    BLOCK_DEVICE = 1
    CHARACTER_DEVICE = 2
    DIRECTORY = 3
    REGULAR_FILE = 4
    SOCKET_DGRAM = 5
    SOCKET_STREAM = 6
    SYMBOLIC_LINK = 7


class Whence(enum.IntEnum):
    """``whence``: a u8 enum."""

    SET = 0
    CUR = 1
    END = 2


class Advice(enum.IntEnum):
    """``advice``: a u8 enum."""

    NORMAL = 0
    SEQUENTIAL = 1
    RANDOM = 2
    WILLNEED = 3
    DONTNEED = 4
    NOREUSE = 5


class Eventtype(enum.IntEnum):
    """``eventtype``: a u8 enum, also the tag of a subscription."""

    CLOCK = 0
    FD_READ = 1
    FD_WRITE = 2


class Preopentype(enum.IntEnum):
    """``preopentype``: a u8 enum, the tag of a prestat."""

    DIR = 0


class Signal(enum.IntEnum):
    """``signal``: a u8 enum (only ``proc_raise`` takes one)."""

    NONE = 0
    HUP = 1
    INT = 2
    QUIT = 3
    ILL = 4
    TRAP = 5
    ABRT = 6
    BUS = 7
    FPE = 8
    KILL = 9
    USR1 = 10
    SEGV = 11
    USR2 = 12
    PIPE = 13
    ALRM = 14
    TERM = 15
    CHLD = 16
    CONT = 17
    STOP = 18
    TSTP = 19
    TTIN = 20
    TTOU = 21
    URG = 22
    XCPU = 23
    XFSZ = 24
    VTALRM = 25
    PROF = 26
    WINCH = 27
    POLL = 28
    PWR = 29
    SYS = 30


class Fdflags(enum.IntFlag):
    """``fdflags``: u16 flags."""

    APPEND = 1 << 0
    DSYNC = 1 << 1
    NONBLOCK = 1 << 2
    RSYNC = 1 << 3
    SYNC = 1 << 4


class Oflags(enum.IntFlag):
    """``oflags``: u16 flags of ``path_open``."""

    CREAT = 1 << 0
    DIRECTORY = 1 << 1
    EXCL = 1 << 2
    TRUNC = 1 << 3


class Lookupflags(enum.IntFlag):
    """``lookupflags``: u32 flags."""

    SYMLINK_FOLLOW = 1 << 0


class Fstflags(enum.IntFlag):
    """``fstflags``: u16 flags of the ``*_set_times`` functions."""

    ATIM = 1 << 0
    ATIM_NOW = 1 << 1
    MTIM = 1 << 2
    MTIM_NOW = 1 << 3


class Eventrwflags(enum.IntFlag):
    """``eventrwflags``: u16 flags of an fd event."""

    FD_READWRITE_HANGUP = 1 << 0


class Subclockflags(enum.IntFlag):
    """``subclockflags``: u16 flags of a clock subscription."""

    SUBSCRIPTION_CLOCK_ABSTIME = 1 << 0


class Riflags(enum.IntFlag):
    """``riflags``: u16 flags of ``sock_recv``."""

    RECV_PEEK = 1 << 0
    RECV_WAITALL = 1 << 1


class Roflags(enum.IntFlag):
    """``roflags``: u16 flags returned by ``sock_recv``."""

    RECV_DATA_TRUNCATED = 1 << 0


class Sdflags(enum.IntFlag):
    """``sdflags``: u8 flags of ``sock_shutdown``."""

    RD = 1 << 0
    WR = 1 << 1


class Rights(enum.IntFlag):
    """``rights``: u64 flags (30 defined bits)."""

    FD_DATASYNC = 1 << 0
    FD_READ = 1 << 1
    FD_SEEK = 1 << 2
    FD_FDSTAT_SET_FLAGS = 1 << 3
    FD_SYNC = 1 << 4
    FD_TELL = 1 << 5
    FD_WRITE = 1 << 6
    FD_ADVISE = 1 << 7
    FD_ALLOCATE = 1 << 8
    PATH_CREATE_DIRECTORY = 1 << 9
    PATH_CREATE_FILE = 1 << 10
    PATH_LINK_SOURCE = 1 << 11
    PATH_LINK_TARGET = 1 << 12
    PATH_OPEN = 1 << 13
    FD_READDIR = 1 << 14
    PATH_READLINK = 1 << 15
    PATH_RENAME_SOURCE = 1 << 16
    PATH_RENAME_TARGET = 1 << 17
    PATH_FILESTAT_GET = 1 << 18
    PATH_FILESTAT_SET_SIZE = 1 << 19
    PATH_FILESTAT_SET_TIMES = 1 << 20
    FD_FILESTAT_GET = 1 << 21
    FD_FILESTAT_SET_SIZE = 1 << 22
    FD_FILESTAT_SET_TIMES = 1 << 23
    PATH_SYMLINK = 1 << 24
    PATH_REMOVE_DIRECTORY = 1 << 25
    PATH_UNLINK_FILE = 1 << 26
    POLL_FD_READWRITE = 1 << 27
    SOCK_SHUTDOWN = 1 << 28
    SOCK_ACCEPT = 1 << 29


ALL_RIGHTS = (1 << 30) - 1

# -- record layouts (byte offsets, sizes) -------------------------------------------------
# Every record is read and written field by field at these offsets; padding is never touched.

IOVEC_SIZE = 8  # iovec / ciovec: buf (u32 pointer) at 0, buf_len (u32) at 4

DIRENT_SIZE = 24  # d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20

FDSTAT_FILETYPE = 0  # u8
FDSTAT_FLAGS = 2  # u16
FDSTAT_RIGHTS_BASE = 8  # u64
FDSTAT_RIGHTS_INHERITING = 16  # u64

FILESTAT_DEV = 0  # u64
FILESTAT_INO = 8  # u64
FILESTAT_FILETYPE = 16  # u8
FILESTAT_NLINK = 24  # u64
FILESTAT_SIZE = 32  # u64
FILESTAT_ATIM = 40  # u64
FILESTAT_MTIM = 48  # u64
FILESTAT_CTIM = 56  # u64

PRESTAT_TAG = 0  # u8 (preopentype)
PRESTAT_NAME_LEN = 4  # u32

SUBSCRIPTION_SIZE = 48
SUBSCRIPTION_USERDATA = 0  # u64
SUBSCRIPTION_TAG = 8  # u8 (eventtype)
SUBSCRIPTION_CLOCK_ID = 16  # u32
SUBSCRIPTION_CLOCK_TIMEOUT = 24  # u64
SUBSCRIPTION_CLOCK_PRECISION = 32  # u64
SUBSCRIPTION_CLOCK_FLAGS = 40  # u16
SUBSCRIPTION_FD = 16  # u32 (fd_read / fd_write)

EVENT_SIZE = 32
EVENT_USERDATA = 0  # u64
EVENT_ERROR = 8  # u16
EVENT_TYPE = 10  # u8
EVENT_NBYTES = 16  # u64
EVENT_FLAGS = 24  # u16
