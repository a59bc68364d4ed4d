"""The WASI preview1 functions' names and core-wasm signatures, as Wasmtime exports them.

Part of :mod:`wasmrun.wasi.abi` (which re-exports them), kept apart so that
checking a module's imports against WASI does not create the ABI's enums.
Pointers and sizes are i32, 64-bit values i64; every function returns its
errno as an i32 except ``proc_exit``.
"""

from __future__ import annotations

from wasmrun.types import FuncType, ValType

MODULE_NAME = "wasi_snapshot_preview1"

_I32 = ValType.I32
_I64 = ValType.I64

# Core-wasm parameter types of each function, in order; every function but
# proc_exit returns one i32 (its errno).
_PARAMS: dict[str, tuple[ValType, ...]] = {
    "args_get": (_I32, _I32),
    "args_sizes_get": (_I32, _I32),
    "environ_get": (_I32, _I32),
    "environ_sizes_get": (_I32, _I32),
    "clock_res_get": (_I32, _I32),
    "clock_time_get": (_I32, _I64, _I32),
    "fd_advise": (_I32, _I64, _I64, _I32),
    "fd_allocate": (_I32, _I64, _I64),
    "fd_close": (_I32,),
    "fd_datasync": (_I32,),
    "fd_fdstat_get": (_I32, _I32),
    "fd_fdstat_set_flags": (_I32, _I32),
    "fd_fdstat_set_rights": (_I32, _I64, _I64),
    "fd_filestat_get": (_I32, _I32),
    "fd_filestat_set_size": (_I32, _I64),
    "fd_filestat_set_times": (_I32, _I64, _I64, _I32),
    "fd_pread": (_I32, _I32, _I32, _I64, _I32),
    "fd_prestat_get": (_I32, _I32),
    "fd_prestat_dir_name": (_I32, _I32, _I32),
    "fd_pwrite": (_I32, _I32, _I32, _I64, _I32),
    "fd_read": (_I32, _I32, _I32, _I32),
    "fd_readdir": (_I32, _I32, _I32, _I64, _I32),
    "fd_renumber": (_I32, _I32),
    "fd_seek": (_I32, _I64, _I32, _I32),
    "fd_sync": (_I32,),
    "fd_tell": (_I32, _I32),
    "fd_write": (_I32, _I32, _I32, _I32),
    "path_create_directory": (_I32, _I32, _I32),
    "path_filestat_get": (_I32, _I32, _I32, _I32, _I32),
    "path_filestat_set_times": (_I32, _I32, _I32, _I32, _I64, _I64, _I32),
    "path_link": (_I32, _I32, _I32, _I32, _I32, _I32, _I32),
    "path_open": (_I32, _I32, _I32, _I32, _I32, _I64, _I64, _I32, _I32),
    "path_readlink": (_I32, _I32, _I32, _I32, _I32, _I32),
    "path_remove_directory": (_I32, _I32, _I32),
    "path_rename": (_I32, _I32, _I32, _I32, _I32, _I32),
    "path_symlink": (_I32, _I32, _I32, _I32, _I32),
    "path_unlink_file": (_I32, _I32, _I32),
    "poll_oneoff": (_I32, _I32, _I32, _I32),
    "proc_exit": (_I32,),
    "proc_raise": (_I32,),
    "sched_yield": (),
    "random_get": (_I32, _I32),
    "sock_accept": (_I32, _I32, _I32),
    "sock_recv": (_I32, _I32, _I32, _I32, _I32, _I32),
    "sock_send": (_I32, _I32, _I32, _I32, _I32),
    "sock_shutdown": (_I32, _I32),
}

FUNCTION_SIGNATURES: dict[str, tuple[tuple[ValType, ...], tuple[ValType, ...]]] = {
    name: (params, () if name == "proc_exit" else (_I32,)) for name, params in _PARAMS.items()
}

FUNCTION_TYPES: dict[str, FuncType] = {
    name: FuncType(params, results) for name, (params, results) in FUNCTION_SIGNATURES.items()
}
