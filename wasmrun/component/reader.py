"""Reading a component's primitives: the core :class:`~wasmrun.binary.reader.Reader` with wasm-tools' texts.

The component scripts expect wasm-tools' messages: ``unexpected end-of-file`` for running out of
bytes (a name or vector longer than what is left too) and ``invalid leading byte (0x62) for
component defined type`` for a byte that starts no production.

Vector counts are not checked against the bytes left: every item takes at least one byte, so
reading items one by one fails at the end of the section however large the count, after at most
as many items as there are bytes (memory and time stay in proportion to the input).
"""

from __future__ import annotations

from wasmrun.binary.instructions import read_reftype, read_valtype
from wasmrun.binary.reader import Reader
from wasmrun.errors import DecodeError
from wasmrun.types import ValueType

END_OF_FILE = "unexpected end-of-file"


def invalid_byte(byte: int, what: str, offset: int) -> DecodeError:
    """wasm-tools' error for a byte that starts none of the productions it may start."""
    return DecodeError(f"invalid leading byte (0x{byte:x}) for {what}", offset)


class ComponentReader(Reader):
    """A cursor over ``data[pos:end]`` whose errors are wasm-tools'."""

    __slots__ = ()

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        super().__init__(data, pos, end, END_OF_FILE)

    def peek(self) -> int:
        if self.pos >= self.end:
            raise self.eof()
        return self.data[self.pos]

    def count(self) -> int:
        """A vector's length (see the module docstring for why it is not bounded here)."""
        return self.u32()

    def name(self) -> str:
        """A ``name``: a u32 length and that many bytes of UTF-8."""
        length = self.u32()
        start = self.pos
        if length > self.end - start:
            raise self.eof()
        self.pos = start + length
        try:
            return self.data[start : self.pos].decode("utf-8")
        except UnicodeDecodeError:
            raise DecodeError("malformed UTF-8 encoding", start) from None

    def flag(self, what: str = "boolean value") -> bool:
        """A byte that must be 0x00 or 0x01."""
        offset = self.pos
        byte = self.byte()
        if byte > 1:
            raise DecodeError(f"invalid {what}", offset)
        return byte == 1

    def present(self, what: str) -> bool:
        """The byte of an optional immediate (``<T>?``): 0x00 absent, 0x01 present."""
        offset = self.pos
        byte = self.byte()
        if byte > 1:
            raise invalid_byte(byte, what, offset)
        return byte == 1

    def zero(self) -> None:
        """A byte that must be 0x00 (a variant case's reserved immediate, a result list's)."""
        offset = self.pos
        byte = self.byte()
        if byte:
            raise invalid_byte(byte, "zero byte required", offset)

    def core_valtype(self) -> ValueType:
        try:
            return read_valtype(self)
        except DecodeError as error:
            raise self._as_wasm_tools(error) from None

    def core_reftype(self) -> ValueType:
        try:
            return read_reftype(self)
        except DecodeError as error:
            raise self._as_wasm_tools(error) from None

    def _as_wasm_tools(self, error: DecodeError) -> DecodeError:
        """The core decoder's error for a core type, in wasm-tools' words (a GC type's names the proposal)."""
        message = error.message
        if message.startswith("malformed") and message.endswith(" type"):
            message = "invalid " + message.removeprefix("malformed ")
        return DecodeError(message, error.offset)
