"""The WASI 0.2 host: one guest's configuration and state, and the lookup of its functions.

Binding it to a component (the glue the component runtime owns)::

    host = WasiHost(arguments=["app.wasm", "x"], preopens=[Preopen("data", "/data")],
                    stdin=sys.stdin.buffer, stdout=sys.stdout.buffer, stderr=sys.stderr.buffer)
    function = host.function("wasi:io/streams@0.2.12", "[method]output-stream.write")
    function.type        # wasmrun.component.types.FuncType, to lift and lower with
    function(stream, b"hello")     # -> Ok(None), or Err(Variant("closed", None)) ...
    host.resource_type("wasi:io/streams@0.2.12", "output-stream")   # its ResourceType
    ...
    host.close()         # or `with WasiHost(...) as host:`

Any 0.2.x version of an interface is the same interface (semver, as Wasmtime links imports); 0.3,
1.x and pre-releases are unknown (None).  Functions raise :class:`~wasmrun.errors.ProcExit` for
``wasi:cli/exit`` and :class:`~wasmrun.wasi.guest.WasiTrap` where Wasmtime's host function fails
(a trap); every other outcome is a return value.  The resource types are shared by all hosts
(their representations are Python objects of this package, released by :func:`~.wit.release`).
"""

from __future__ import annotations

import functools
import os
import random as random_module
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import IO

from wasmrun.component.types import ResourceType
from wasmrun.wasi.preview2 import cli, clocks, filesystem, poll, sockets, streams
from wasmrun.wasi.preview2 import random as random_interfaces
from wasmrun.wasi.preview2.filesystem import Permissions
from wasmrun.wasi.preview2.wit import HostFunction, Interface, split_interface_name

INTERFACES: dict[str, Interface] = {
    interface.qualified_name: interface
    for interface in (
        cli.ENVIRONMENT,
        cli.EXIT,
        cli.STDIN,
        cli.STDOUT,
        cli.STDERR,
        cli.TERMINAL_INPUT,
        cli.TERMINAL_OUTPUT,
        cli.TERMINAL_STDIN,
        cli.TERMINAL_STDOUT,
        cli.TERMINAL_STDERR,
        clocks.WALL_CLOCK,
        clocks.MONOTONIC_CLOCK,
        filesystem.TYPES,
        filesystem.PREOPENS,
        poll.POLL,
        streams.ERROR,
        streams.STREAMS,
        random_interfaces.RANDOM,
        random_interfaces.INSECURE,
        random_interfaces.INSECURE_SEED,
        sockets.NETWORK,
        sockets.INSTANCE_NETWORK,
        sockets.UDP,
        sockets.UDP_CREATE_SOCKET,
        sockets.TCP,
        sockets.TCP_CREATE_SOCKET,
        sockets.IP_NAME_LOOKUP,
    )
}
"""Every WASI 0.2 interface the host provides, by ``package/interface`` name."""


def find_interface(name: str) -> Interface | None:
    """The interface an import name (``wasi:io/streams@0.2.12``) designates, if provided."""
    qualified = split_interface_name(name)
    return None if qualified is None else INTERFACES.get(qualified)


@dataclass(frozen=True, slots=True)
class Preopen:
    """A host directory the guest sees as ``guest_path`` (``--dir HOST::GUEST``)."""

    host_path: str | bytes | os.PathLike[str]
    guest_path: str
    read_only: bool = False


@dataclass(slots=True)
class PreopenDirectory:
    """An opened preopen: an ``O_PATH`` descriptor the host owns (each guest descriptor is a dup)."""

    host_fd: int
    guest_path: str
    permissions: Permissions


EXIT_WITH_CODE = "exit-with-code"
"""The one function of ``wasi:cli/exit`` Wasmtime links only when asked (``-S cli-exit-with-code``)."""


class WasiHost:
    """One guest's WASI 0.2 world (see the module docstring).

    ``arguments``: argv, argv[0] included.  ``environment``: (name, value) pairs, in order.
    ``preopens``: :class:`Preopen` or (host, guest[, read_only]) tuples; a directory that cannot be
    opened raises :class:`OSError` here.  ``stdin``/``stdout``/``stderr``: binary file objects (not
    owned, never closed), None for an empty input / a discarding output.  ``wall_clock`` and
    ``monotonic_clock``: callables giving nanoseconds (the host's clocks by default; the guest's
    monotonic time starts at 0 with the host).  ``random_bytes``: the secure source (``os.urandom``);
    ``insecure_seed``: a (u64, u64) pair, drawn from the secure source by default.
    ``inherit_network`` is recorded only: the sockets deny every access either way.
    """

    def __init__(
        self,
        *,
        arguments: Iterable[str] = (),
        environment: Iterable[tuple[str, str]] = (),
        preopens: Iterable[Preopen | tuple[str | bytes | os.PathLike[str], str] | tuple[str, str, bool]] = (),
        stdin: IO[bytes] | None = None,
        stdout: IO[bytes] | None = None,
        stderr: IO[bytes] | None = None,
        initial_cwd: str | None = None,
        wall_clock: Callable[[], int] = time.time_ns,
        monotonic_clock: Callable[[], int] = time.monotonic_ns,
        random_bytes: Callable[[int], bytes] = os.urandom,
        insecure_seed: tuple[int, int] | None = None,
        inherit_network: bool = False,
        cli_exit_with_code: bool = False,
    ) -> None:
        self.cli_exit_with_code = cli_exit_with_code  # -S cli-exit-with-code: link wasi:cli/exit.exit-with-code
        self.arguments = [str(argument) for argument in arguments]
        self.environment = [(str(name), str(value)) for name, value in environment]
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.initial_cwd = initial_cwd
        self.wall_clock = wall_clock
        self._monotonic_clock = monotonic_clock
        self._monotonic_origin = monotonic_clock()
        self.random_bytes = random_bytes
        if insecure_seed is None:
            seed = int.from_bytes(random_bytes(16), "little")
            insecure_seed = (seed & ((1 << 64) - 1), seed >> 64)
        self.insecure_seed = insecure_seed
        self.insecure_random = random_module.Random(int.from_bytes(random_bytes(32), "little"))
        self.inherit_network = inherit_network
        self.preopens: list[PreopenDirectory] = []
        try:
            for preopen in preopens:
                if not isinstance(preopen, Preopen):
                    preopen = Preopen(*preopen)
                # O_PATH, as Wasmtime (cap-std) opens a preopen: enough to resolve paths beneath it.
                host_fd = os.open(preopen.host_path, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
                permissions = Permissions.for_preopen(preopen.read_only)
                self.preopens.append(PreopenDirectory(host_fd, preopen.guest_path, permissions))
        except BaseException:
            self.close()
            raise

    def monotonic_now(self) -> int:
        """The guest's monotonic clock: nanoseconds since this host was made."""
        return self._monotonic_clock() - self._monotonic_origin

    # -- the lookup the component runtime uses ---------------------------------------------------

    def function(self, interface: str, name: str) -> HostFunction | None:
        """The function ``name`` of ``interface`` (``wasi:io/streams@0.2.12``), bound to this host.

        ``name`` is as in WIT and component binaries: ``get-stdout``,
        ``[method]output-stream.write``, ``[resource-drop]output-stream`` (the resource's
        destructor, also :attr:`ResourceType.destructor`), ...
        """
        found = find_interface(interface)
        definition = None if found is None else found.functions.get(name)
        if definition is None or (name == EXIT_WITH_CODE and not self.cli_exit_with_code):
            return None  # (as Wasmtime, exit-with-code only with -S cli-exit-with-code)
        function_type, implementation = definition
        return HostFunction(interface, name, function_type, functools.partial(implementation, self))

    def resource_type(self, interface: str, name: str) -> ResourceType | None:
        """The resource type ``name`` defined in, or used by, ``interface``."""
        found = find_interface(interface)
        return None if found is None else found.resource_type(name)

    # -- lifetime ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the preopened directories (descriptors the guest still holds stay open until dropped)."""
        while self.preopens:
            os.close(self.preopens.pop().host_fd)

    def __enter__(self) -> WasiHost:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
