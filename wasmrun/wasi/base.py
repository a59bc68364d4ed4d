"""What every WASI function shares: the context's state, the call wrapper, argument lifting.

Each WASI function is a method of :class:`~wasmrun.wasi.context.WasiContext`
named after it, taking the canonical argument values (i32 and i64 as unsigned
ints, as the engine passes them) and returning the errno.  The
:func:`wasi_function` wrapper gives all of them the same frame, Wasmtime's:

1. no memory attached -> :class:`WasiTrap` "missing required memory export"
   (Wasmtime looks the caller's ``memory`` export up on every call);
2. the per-call "hostcall fuel" is reset (see :data:`HOSTCALL_FUEL`);
3. :class:`Fail` (an errno decided by the function) and :class:`OSError`
   (a host failure, translated by :func:`~wasmrun.wasi.errnos.errno_of`) become
   the returned errno; a :class:`WasiTrap` or :class:`~wasmrun.errors.ProcExit`
   goes through.

Arguments that are enums or flag sets are "lifted" first, in parameter order,
as Wasmtime's generated bindings do: a value that does not fit the type's
width, or is not one of its values, fails the call (a WasiTrap naming the
function and type), it is not an errno.  Results are stored after success
only, each store wrapped with the same kind of context.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from wasmrun.wasi.abi import MODULE_NAME, Errno
from wasmrun.wasi.errnos import errno_of
from wasmrun.wasi.fdtable import FdTable
from wasmrun.wasi.guest import GuestMemory, WasiTrap

# Wasmtime lets one host call copy at most this many bytes of guest data
# (strings, iovec arrays, the first buffer, poll arrays) before failing it with
# NOMEM; the budget is reset on every call.
HOSTCALL_FUEL = 128 << 20

MISSING_MEMORY = "missing required memory export"


class Fail(Exception):
    """A WASI function's result is this errno (raised from anywhere below the method)."""

    def __init__(self, errno: int) -> None:
        super().__init__(errno)
        self.errno = errno


class ContextBase:
    """The state the function families share (see :class:`~wasmrun.wasi.context.WasiContext`)."""

    args: list[bytes]
    environ: list[tuple[bytes, bytes]]
    table: FdTable
    guest: GuestMemory | None
    fuel: int
    monotonic_origin: int

    def __init__(self) -> None:
        self.args = []
        self.environ = []
        self.table = FdTable()
        self.guest = None
        self.fuel = HOSTCALL_FUEL
        self.monotonic_origin = time.monotonic_ns()

    def consume_fuel(self, amount: int) -> None:
        """Charge ``amount`` bytes of copying to this call; NOMEM once the budget is spent."""
        if amount > self.fuel:
            raise Fail(Errno.NOMEM)
        self.fuel -= amount


P = ParamSpec("P")
C = TypeVar("C", bound=ContextBase)


def wasi_function(
    method: Callable[Concatenate[C, GuestMemory, P], int],
) -> Callable[Concatenate[C, P], int]:
    """The common frame of a WASI function (see the module docstring).

    The wrapped method receives the guest memory as its first argument after
    ``self``; callers (the engine) pass only the wasm arguments.
    """

    @functools.wraps(method)
    def call(self: C, *args: P.args, **kwargs: P.kwargs) -> int:
        guest = self.guest
        if guest is None:
            raise WasiTrap(MISSING_MEMORY)
        self.fuel = HOSTCALL_FUEL
        try:
            return method(self, guest, *args, **kwargs)
        except Fail as failure:
            return failure.errno
        except OSError as error:
            return errno_of(error)

    return call


# -- argument lifting (Wasmtime's generated conversions, in its words) ---------------------


def _context(function: str, step: str, causes: tuple[str, ...]) -> WasiTrap:
    return WasiTrap(f"In func {MODULE_NAME}::{function} at {step}: {causes[0]}", *causes)


def _int_conversion(function: str, typename: str, negative: bool) -> WasiTrap:
    kind = "NegOverflow" if negative else "PosOverflow"
    detail = "number too small to fit in target type" if negative else "number too large to fit in target type"
    return _context(function, f"convert {typename}", (f"Int conversion error: TryFromIntError({kind})", detail))


def lift(value: int, source_bits: int, maximum: int, function: str, typename: str) -> int:
    """A wasm i32/i64 (unsigned canonical form) as an unsigned value of at most ``maximum``.

    Wasmtime converts the *signed* wasm value with Rust's ``TryFrom``, so a
    value with the sign bit set is a "NegOverflow" even for a u32 target.
    """
    if value >> (source_bits - 1):
        raise _int_conversion(function, typename, negative=True)
    if value > maximum:
        raise _int_conversion(function, typename, negative=False)
    return value


def lift_enum(value: int, maximum: int, count: int, function: str, typename: str) -> int:
    """An enum from an i32: it must fit the enum's width (``maximum``) and be below ``count``."""
    value = lift(value, 32, maximum, function, typename)
    if value >= count:
        raise _context(function, f"convert {typename}", (f"Invalid enum value {typename}",))
    return value


def lift_flags(value: int, source_bits: int, maximum: int, valid: int, function: str, typename: str) -> int:
    """A flag set: it must fit the width (``maximum``) and have no bit outside ``valid``."""
    value = lift(value, source_bits, maximum, function, typename)
    if value & ~valid:
        raise _context(function, f"convert {typename}", (f"Invalid flag value {typename}",))
    return value


def result_trap(function: str, typename: str, trap: WasiTrap) -> WasiTrap:
    """``trap`` (from storing a result) with Wasmtime's context "at write <type>"."""
    return _context(function, f"write {typename}", trap.causes)


def store_u32(guest: GuestMemory, pointer: int, value: int, function: str, typename: str) -> None:
    try:
        guest.write_u32(pointer, value)
    except WasiTrap as trap:
        raise result_trap(function, typename, trap) from None


def store_u64(guest: GuestMemory, pointer: int, value: int, function: str, typename: str) -> None:
    try:
        guest.write_u64(pointer, value)
    except WasiTrap as trap:
        raise result_trap(function, typename, trap) from None


def signed64(value: int) -> int:
    """An i64 in unsigned canonical form as the signed value it encodes."""
    return value - (1 << 64) if value >> 63 else value


def read_path(self: ContextBase, guest: GuestMemory, pointer: int, length: int, *, charge: bool = True) -> bytes:
    """A guest string (a path): charged to the call's fuel, bounds-checked, UTF-8 or ILSEQ."""
    if charge:
        self_fuel = self.fuel
        if length > self_fuel:
            raise Fail(Errno.NOMEM)
        self.fuel = self_fuel - length
    data = guest.read_bytes(pointer, length)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise Fail(Errno.ILSEQ) from None
    return data


def host_text(value: str | bytes) -> bytes:
    """An argument or environment string as the bytes the guest sees."""
    return value if isinstance(value, bytes) else os.fsencode(value)
