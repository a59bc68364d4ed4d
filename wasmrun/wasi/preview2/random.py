"""``wasi:random``: ``random``, ``insecure`` and ``insecure-seed``.

The secure source is the host's (``os.urandom`` unless configured); the insecure one a
pseudo-random generator seeded from it; ``insecure-seed`` is one 128-bit value drawn when the host
is made, the same for every call, as in Wasmtime.  One call returns at most :data:`MAX_RANDOM_BYTES`
bytes: asking for more fails the call (a trap, as Wasmtime's limit on ``len`` does) rather than
have the guest make the host allocate without bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wasmrun.wasi.guest import WasiTrap
from wasmrun.wasi.preview2.wit import Interface

if TYPE_CHECKING:
    from wasmrun.wasi.preview2.host import WasiHost

MAX_RANDOM_BYTES = 64 << 20

RANDOM = Interface("wasi:random", "random")
INSECURE = Interface("wasi:random", "insecure")
INSECURE_SEED = Interface("wasi:random", "insecure-seed")


def _checked(length: int) -> int:
    if length > MAX_RANDOM_BYTES:
        raise WasiTrap(f"requested len {length} exceeds limit {MAX_RANDOM_BYTES}")
    return length


@RANDOM.function("get-random-bytes", "func(len: u64) -> list<u8>")
def get_random_bytes(host: WasiHost, length: int) -> bytes:
    return host.random_bytes(_checked(length))


@RANDOM.function("get-random-u64", "func() -> u64")
def get_random_u64(host: WasiHost) -> int:
    return int.from_bytes(host.random_bytes(8), "little")


@INSECURE.function("get-insecure-random-bytes", "func(len: u64) -> list<u8>")
def get_insecure_random_bytes(host: WasiHost, length: int) -> bytes:
    return host.insecure_random.randbytes(_checked(length))


@INSECURE.function("get-insecure-random-u64", "func() -> u64")
def get_insecure_random_u64(host: WasiHost) -> int:
    return host.insecure_random.getrandbits(64)


@INSECURE_SEED.function("insecure-seed", "func() -> tuple<u64, u64>")
def insecure_seed(host: WasiHost) -> tuple[int, int]:
    return host.insecure_seed
