"""``wasi:sockets``: present, and denying the guest every network access.

This is Wasmtime's behaviour without ``-S inherit-network``: sockets can be created (they are only
state here; no host socket is ever opened), but binding and connecting are ``access-denied``, and
name lookups are ``permanent-resolver-failure``.  Everything else answers as a socket that never
got bound would: ``invalid-state`` for what needs a bound, listening or connected socket,
``not-in-progress`` for a ``finish-*`` without its ``start-*``; the socket options keep what they
are set to, and setting zero where zero makes no sense is ``invalid-argument``.  (Real networking,
``inherit-network``, is not provided.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wasmrun.component.types import (
    EnumType,
    Err,
    ListType,
    Ok,
    OptionType,
    Primitive,
    RecordType,
    TupleType,
    Variant,
    VariantType,
)
from wasmrun.wasi.preview2.clocks import MONOTONIC_CLOCK
from wasmrun.wasi.preview2.poll import POLL, Pollable
from wasmrun.wasi.preview2.streams import STREAMS
from wasmrun.wasi.preview2.wit import Interface

if TYPE_CHECKING:
    from wasmrun.wasi.preview2.host import WasiHost

NETWORK = Interface("wasi:sockets", "network")
NetworkType = NETWORK.resource("network")
NETWORK.define(
    "error-code",
    EnumType(
        (
            "unknown",
            "access-denied",
            "not-supported",
            "invalid-argument",
            "out-of-memory",
            "timeout",
            "concurrency-conflict",
            "not-in-progress",
            "would-block",
            "invalid-state",
            "new-socket-limit",
            "address-not-bindable",
            "address-in-use",
            "remote-unreachable",
            "connection-refused",
            "connection-reset",
            "connection-aborted",
            "datagram-too-large",
            "name-unresolvable",
            "temporary-resolver-failure",
            "permanent-resolver-failure",
        )
    ),
)
NETWORK.define("ip-address-family", EnumType(("ipv4", "ipv6")))
IPV4_ADDRESS = NETWORK.define("ipv4-address", TupleType((Primitive.U8,) * 4))
IPV6_ADDRESS = NETWORK.define("ipv6-address", TupleType((Primitive.U16,) * 8))
NETWORK.define("ip-address", VariantType((("ipv4", IPV4_ADDRESS), ("ipv6", IPV6_ADDRESS))))
IPV4_SOCKET_ADDRESS = NETWORK.define(
    "ipv4-socket-address", RecordType((("port", Primitive.U16), ("address", IPV4_ADDRESS)))
)
IPV6_SOCKET_ADDRESS = NETWORK.define(
    "ipv6-socket-address",
    RecordType(
        (
            ("port", Primitive.U16),
            ("flow-info", Primitive.U32),
            ("address", IPV6_ADDRESS),
            ("scope-id", Primitive.U32),
        )
    ),
)
IP_SOCKET_ADDRESS = NETWORK.define(
    "ip-socket-address", VariantType((("ipv4", IPV4_SOCKET_ADDRESS), ("ipv6", IPV6_SOCKET_ADDRESS)))
)
_NETWORK_NAMES = ("network", "error-code", "ip-socket-address", "ip-address-family")

INSTANCE_NETWORK = Interface("wasi:sockets", "instance-network")
INSTANCE_NETWORK.use(NETWORK, "network")

UDP = Interface("wasi:sockets", "udp")
UDP.use(POLL, "pollable")
UDP.use(NETWORK, *_NETWORK_NAMES)
UDP.define(
    "incoming-datagram",
    RecordType((("data", ListType(Primitive.U8, None)), ("remote-address", IP_SOCKET_ADDRESS))),
)
UDP.define(
    "outgoing-datagram",
    RecordType((("data", ListType(Primitive.U8, None)), ("remote-address", OptionType(IP_SOCKET_ADDRESS)))),
)
UdpSocketType = UDP.resource("udp-socket")
UDP.resource("incoming-datagram-stream")
UDP.resource("outgoing-datagram-stream")

UDP_CREATE_SOCKET = Interface("wasi:sockets", "udp-create-socket")
UDP_CREATE_SOCKET.use(NETWORK, "network", "error-code", "ip-address-family")
UDP_CREATE_SOCKET.use(UDP, "udp-socket")

TCP = Interface("wasi:sockets", "tcp")
TCP.use(STREAMS, "input-stream", "output-stream")
TCP.use(POLL, "pollable")
TCP.use(MONOTONIC_CLOCK, "duration")
TCP.use(NETWORK, *_NETWORK_NAMES)
TCP.define("shutdown-type", EnumType(("receive", "send", "both")))
TcpSocketType = TCP.resource("tcp-socket")

TCP_CREATE_SOCKET = Interface("wasi:sockets", "tcp-create-socket")
TCP_CREATE_SOCKET.use(NETWORK, "network", "error-code", "ip-address-family")
TCP_CREATE_SOCKET.use(TCP, "tcp-socket")

IP_NAME_LOOKUP = Interface("wasi:sockets", "ip-name-lookup")
IP_NAME_LOOKUP.use(POLL, "pollable")
IP_NAME_LOOKUP.use(NETWORK, "network", "error-code", "ip-address")
IP_NAME_LOOKUP.resource("resolve-address-stream")

_SECOND = 1_000_000_000


class Network:
    """What ``network`` represents: the right to use the network, which grants nothing here."""

    def close(self) -> None:
        """Nothing to release."""


class Socket:
    """What ``tcp-socket`` and ``udp-socket`` represent: a family and option values, never bound."""

    def __init__(self, family: str, options: dict[str, Any]) -> None:
        self.family = family
        self.options = dict(options)

    def close(self) -> None:
        """Nothing to release: no host socket was opened."""


def _denied_address(socket: Socket, address: Variant) -> Err:
    """start-bind's and start-connect's answer: a wrong family is invalid, any other address denied."""
    return Err("invalid-argument" if address.case != socket.family else "access-denied")


@INSTANCE_NETWORK.function("instance-network", "func() -> network")
def instance_network(host: WasiHost) -> Network:
    return Network()


# -- TCP ---------------------------------------------------------------------------------------------

_TCP_OPTIONS: dict[str, tuple[str, Any]] = {
    # name: (WIT type, initial value) -- Linux's defaults
    "keep-alive-enabled": ("bool", False),
    "keep-alive-idle-time": ("duration", 7200 * _SECOND),
    "keep-alive-interval": ("duration", 75 * _SECOND),
    "keep-alive-count": ("u32", 9),
    "hop-limit": ("u8", 64),
    "receive-buffer-size": ("u64", 131072),
    "send-buffer-size": ("u64", 16384),
}


@TCP_CREATE_SOCKET.function(
    "create-tcp-socket", "func(address-family: ip-address-family) -> result<tcp-socket, error-code>"
)
def create_tcp_socket(host: WasiHost, family: str) -> Ok:
    return Ok(Socket(family, {name: value for name, (_, value) in _TCP_OPTIONS.items()}))


@TCP.function(
    "[method]tcp-socket.start-bind",
    "func(network: borrow<network>, local-address: ip-socket-address) -> result<_, error-code>",
)
def tcp_start_bind(host: WasiHost, socket: Socket, network: Network, address: Variant) -> Err:
    return _denied_address(socket, address)


@TCP.function(
    "[method]tcp-socket.start-connect",
    "func(network: borrow<network>, remote-address: ip-socket-address) -> result<_, error-code>",
)
def tcp_start_connect(host: WasiHost, socket: Socket, network: Network, address: Variant) -> Err:
    return _denied_address(socket, address)


def _answer(interface: Interface, resource: str, name: str, signature: str, value: Any) -> None:
    """Declare a method that always gives ``value`` (what an unbound socket says)."""
    interface.function(f"[method]{resource}.{name}", signature)(lambda host, socket, *arguments: value)


for _name, _signature, _value in (
    ("finish-bind", "func() -> result<_, error-code>", Err("not-in-progress")),
    ("finish-connect", "func() -> result<tuple<input-stream, output-stream>, error-code>", Err("not-in-progress")),
    ("start-listen", "func() -> result<_, error-code>", Err("invalid-state")),
    ("finish-listen", "func() -> result<_, error-code>", Err("not-in-progress")),
    ("accept", "func() -> result<tuple<tcp-socket, input-stream, output-stream>, error-code>", Err("invalid-state")),
    ("local-address", "func() -> result<ip-socket-address, error-code>", Err("invalid-state")),
    ("remote-address", "func() -> result<ip-socket-address, error-code>", Err("invalid-state")),
    ("is-listening", "func() -> bool", False),
    ("shutdown", "func(shutdown-type: shutdown-type) -> result<_, error-code>", Err("invalid-state")),
):
    _answer(TCP, "tcp-socket", _name, _signature, _value)


@TCP.function("[method]tcp-socket.address-family", "func() -> ip-address-family")
def tcp_address_family(host: WasiHost, socket: Socket) -> str:
    return socket.family


@TCP.function("[method]tcp-socket.set-listen-backlog-size", "func(value: u64) -> result<_, error-code>")
def tcp_set_listen_backlog_size(host: WasiHost, socket: Socket, value: int) -> Ok | Err:
    return Err("invalid-argument") if value == 0 else Ok(None)


@TCP.function("[method]tcp-socket.subscribe", "func() -> pollable")
def tcp_subscribe(host: WasiHost, socket: Socket) -> Pollable:
    return Pollable()


def _option(interface: Interface, resource: str, name: str, wit_type: str) -> None:
    """Declare the getter and the setter of a socket option (zero is refused, except for a bool)."""

    def get(host: WasiHost, socket: Socket) -> Ok:
        return Ok(socket.options[name])

    def set_(host: WasiHost, socket: Socket, value: Any) -> Ok | Err:
        if wit_type != "bool" and value == 0:
            return Err("invalid-argument")
        socket.options[name] = value
        return Ok(None)

    interface.function(f"[method]{resource}.{name}", f"func() -> result<{wit_type}, error-code>")(get)
    interface.function(f"[method]{resource}.set-{name}", f"func(value: {wit_type}) -> result<_, error-code>")(set_)


for _name, (_type, _) in _TCP_OPTIONS.items():
    _option(TCP, "tcp-socket", _name, _type)


# -- UDP ---------------------------------------------------------------------------------------------

_UDP_OPTIONS: dict[str, tuple[str, Any]] = {
    "unicast-hop-limit": ("u8", 64),
    "receive-buffer-size": ("u64", 212992),
    "send-buffer-size": ("u64", 212992),
}


@UDP_CREATE_SOCKET.function(
    "create-udp-socket", "func(address-family: ip-address-family) -> result<udp-socket, error-code>"
)
def create_udp_socket(host: WasiHost, family: str) -> Ok:
    return Ok(Socket(family, {name: value for name, (_, value) in _UDP_OPTIONS.items()}))


@UDP.function(
    "[method]udp-socket.start-bind",
    "func(network: borrow<network>, local-address: ip-socket-address) -> result<_, error-code>",
)
def udp_start_bind(host: WasiHost, socket: Socket, network: Network, address: Variant) -> Err:
    return _denied_address(socket, address)


for _name, _signature, _value in (
    ("finish-bind", "func() -> result<_, error-code>", Err("not-in-progress")),
    (
        "stream",
        "func(remote-address: option<ip-socket-address>)"
        " -> result<tuple<incoming-datagram-stream, outgoing-datagram-stream>, error-code>",
        Err("invalid-state"),
    ),
    ("local-address", "func() -> result<ip-socket-address, error-code>", Err("invalid-state")),
    ("remote-address", "func() -> result<ip-socket-address, error-code>", Err("invalid-state")),
):
    _answer(UDP, "udp-socket", _name, _signature, _value)

for _name, (_type, _) in _UDP_OPTIONS.items():
    _option(UDP, "udp-socket", _name, _type)


@UDP.function("[method]udp-socket.address-family", "func() -> ip-address-family")
def udp_address_family(host: WasiHost, socket: Socket) -> str:
    return socket.family


@UDP.function("[method]udp-socket.subscribe", "func() -> pollable")
def udp_subscribe(host: WasiHost, socket: Socket) -> Pollable:
    return Pollable()


# (No datagram stream can exist: `stream` never succeeds.  Their methods answer as empty ones.)
_answer(
    UDP,
    "incoming-datagram-stream",
    "receive",
    "func(max-results: u64) -> result<list<incoming-datagram>, error-code>",
    Ok([]),
)
_answer(UDP, "outgoing-datagram-stream", "check-send", "func() -> result<u64, error-code>", Ok(0))
_answer(
    UDP,
    "outgoing-datagram-stream",
    "send",
    "func(datagrams: list<outgoing-datagram>) -> result<u64, error-code>",
    Err("invalid-state"),
)
for _resource in ("incoming-datagram-stream", "outgoing-datagram-stream"):
    UDP.function(f"[method]{_resource}.subscribe", "func() -> pollable")(lambda host, stream: Pollable())


# -- name lookup -------------------------------------------------------------------------------------


@IP_NAME_LOOKUP.function(
    "resolve-addresses",
    "func(network: borrow<network>, name: string) -> result<resolve-address-stream, error-code>",
)
def resolve_addresses(host: WasiHost, network: Network, name: str) -> Err:
    return Err("invalid-argument" if not name else "permanent-resolver-failure")


_answer(
    IP_NAME_LOOKUP,
    "resolve-address-stream",
    "resolve-next-address",
    "func() -> result<option<ip-address>, error-code>",
    Ok(None),
)
IP_NAME_LOOKUP.function("[method]resolve-address-stream.subscribe", "func() -> pollable")(
    lambda host, stream: Pollable()
)
