"""The preview1 ABI data: errnos, flags, layouts, the 46 signatures (as Wasmtime exports them)."""

from __future__ import annotations

import pytest

from wasmrun.types import ValType
from wasmrun.wasi import abi

I32, I64 = ValType.I32, ValType.I64


def test_77_errnos_numbered_in_spec_order() -> None:
    assert len(abi.Errno) == 77
    assert [errno.value for errno in abi.Errno] == list(range(77))
    assert abi.Errno(1).spec_name == "2big"
    assert abi.Errno.NOTCAPABLE == 76
    assert abi.Errno.ACCES.spec_name == "acces"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BADF", 8),
        ("EXIST", 20),
        ("FAULT", 21),
        ("INVAL", 28),
        ("NOENT", 44),
        ("NOTDIR", 54),
        ("PERM", 63),
        ("PIPE", 64),
    ],
)
def test_errno_values(name: str, value: int) -> None:
    assert abi.Errno[name] == value


def test_46_functions() -> None:
    assert len(abi.FUNCTION_SIGNATURES) == 46
    assert set(abi.FUNCTION_TYPES) == set(abi.FUNCTION_SIGNATURES)


@pytest.mark.parametrize(
    ("name", "params", "results"),
    [
        ("fd_write", (I32, I32, I32, I32), (I32,)),
        ("clock_time_get", (I32, I64, I32), (I32,)),
        ("fd_seek", (I32, I64, I32, I32), (I32,)),
        ("path_open", (I32, I32, I32, I32, I32, I64, I64, I32, I32), (I32,)),
        ("path_filestat_set_times", (I32, I32, I32, I32, I64, I64, I32), (I32,)),
        ("fd_readdir", (I32, I32, I32, I64, I32), (I32,)),
        ("proc_exit", (I32,), ()),
        ("sched_yield", (), (I32,)),
        ("sock_recv", (I32,) * 6, (I32,)),
    ],
)
def test_signatures(name: str, params: tuple[ValType, ...], results: tuple[ValType, ...]) -> None:
    assert abi.FUNCTION_SIGNATURES[name] == (params, results)
    assert abi.FUNCTION_TYPES[name].params == params


def test_rights_are_30_bits() -> None:
    assert abi.ALL_RIGHTS == sum(abi.Rights) == (1 << 30) - 1
    assert abi.Rights.SOCK_ACCEPT == 1 << 29


@pytest.mark.parametrize(
    ("flags", "values"),
    [
        (abi.Fdflags, [1, 2, 4, 8, 16]),
        (abi.Oflags, [1, 2, 4, 8]),
        (abi.Fstflags, [1, 2, 4, 8]),
        (abi.Lookupflags, [1]),
        (abi.Subclockflags, [1]),
    ],
)
def test_flag_sets(flags: type, values: list[int]) -> None:
    assert [member.value for member in flags] == values  # type: ignore[attr-defined]


def test_record_layouts() -> None:
    assert (abi.IOVEC_SIZE, abi.DIRENT_SIZE, abi.SUBSCRIPTION_SIZE, abi.EVENT_SIZE) == (8, 24, 48, 32)
    assert (abi.FILESTAT_CTIM, abi.FDSTAT_RIGHTS_INHERITING, abi.PRESTAT_NAME_LEN) == (56, 16, 4)
    assert (abi.SUBSCRIPTION_CLOCK_FLAGS, abi.EVENT_FLAGS) == (40, 24)
    assert len(abi.Signal) == 31 and len(abi.Filetype) == 8
