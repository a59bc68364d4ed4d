"""Building binary modules byte by byte, for tests of the decoder, validator and limits."""

from __future__ import annotations

HEADER = b"\0asm\x01\0\0\0"
I32, I64, F32, F64 = 0x7F, 0x7E, 0x7D, 0x7C
FUNCREF, EXTERNREF = 0x70, 0x6F
END = b"\x0b"


def u32(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def s32(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def vec(*items: bytes) -> bytes:
    return u32(len(items)) + b"".join(items)


def name(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return u32(len(raw)) + raw


def section(section_id: int, content: bytes) -> bytes:
    return bytes([section_id]) + u32(len(content)) + content


def module(*sections: bytes) -> bytes:
    return HEADER + b"".join(sections)


def functype(params: bytes = b"", results: bytes = b"") -> bytes:
    return b"\x60" + u32(len(params)) + params + u32(len(results)) + results


def body(code: bytes, *locals_: tuple[int, int]) -> bytes:
    content = vec(*(u32(n) + bytes([t]) for n, t in locals_)) + code
    return u32(len(content)) + content


def i32_const(n: int) -> bytes:
    return b"\x41" + s32(n)


def custom(section_name: str | bytes, payload: bytes = b"") -> bytes:
    return section(0, name(section_name) + payload)


TYPES = section(1, vec(functype()))  # type 0: [] -> []
FUNCS = section(3, vec(u32(0)))  # one function of type 0
CODE = section(10, vec(body(END)))  # its body: just `end`
MEMORY = section(5, vec(b"\x00\x01"))  # memory 1
TABLE = section(4, vec(bytes([FUNCREF]) + b"\x00\x01"))  # table 1 funcref
