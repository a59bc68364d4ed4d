"""Canonical definitions of a component text (Explainer.md and Binary.md, Canonical Definitions).

``(canon lift ...)``, ``(canon lower ...)``, the resource built-ins and the
async, error-context and thread built-ins, with their canonical options.  Each
is encoded whatever its feature: whether one runs is the runtime's decision.
"""

from __future__ import annotations

from wasmrun.component.text.deftypes import TypeReader
from wasmrun.text.encoder import u32, vec

_STRING_ENCODINGS = {
    "string-encoding=utf8": b"\x00",
    "string-encoding=utf16": b"\x01",
    "string-encoding=latin1+utf16": b"\x02",
}
_FUNCTION_OPTIONS = {"memory": 0x03, "realloc": 0x04, "post-return": 0x05, "callback": 0x07}

# Built-ins by the immediates that follow their opcode.
_PLAIN = {
    "task.cancel": 0x05,
    "waitable-set.new": 0x1F,
    "waitable-set.drop": 0x22,
    "waitable.join": 0x23,
    "backpressure.inc": 0x24,
    "backpressure.dec": 0x25,
    "subtask.drop": 0x0D,
    "error-context.drop": 0x1E,
    "thread.index": 0x26,
    "thread.resume-later": 0x28,
}
_TYPED = {  # a type index
    "resource.new": 0x02,
    "resource.drop": 0x03,
    "resource.rep": 0x04,
    "stream.new": 0x0E,
    "stream.drop-readable": 0x13,
    "stream.drop-writable": 0x14,
    "future.new": 0x15,
    "future.drop-readable": 0x1A,
    "future.drop-writable": 0x1B,
}
_TYPED_WITH_OPTIONS = {"stream.read": 0x0F, "stream.write": 0x10, "future.read": 0x16, "future.write": 0x17}
_TYPED_ASYNC = {
    "stream.cancel-read": 0x11,
    "stream.cancel-write": 0x12,
    "future.cancel-read": 0x18,
    "future.cancel-write": 0x19,
}
_WITH_OPTIONS = {"error-context.new": 0x1C, "error-context.debug-message": 0x1D}
_CANCELLABLE = {
    "thread.yield": 0x0C,
    "thread.suspend": 0x29,
    "thread.suspend-then-resume": 0x2A,
    "thread.yield-then-resume": 0x2B,
    "thread.suspend-then-promote": 0x2C,
    "thread.yield-then-promote": 0x2D,
}
_WAITS = {"waitable-set.wait": 0x20, "waitable-set.poll": 0x21}
_SHARED = {"thread.spawn-ref": 0x40, "thread.spawn-indirect": 0x41, "thread.available-parallelism": 0x42}
_CONTEXT = {"context.get": 0x0A, "context.set": 0x0B}


class CanonReader(TypeReader):
    """Reads ``canon`` definitions and their options."""

    def canon_options(self) -> bytes:
        """``canonopt*``, as ``vec(canonopt)``."""
        options = []
        while True:
            token = self.tok
            encoding = _STRING_ENCODINGS.get(token)
            if encoding is not None:
                options.append(encoding)
                self.i += 1
            elif token == "async":
                options.append(b"\x06")
                self.i += 1
            elif token == "(" and self.toks[self.i + 1][0] in _FUNCTION_OPTIONS:
                self.i += 1
                keyword = self.tok
                self.i += 1
                sort = "core memory" if keyword == "memory" else "core func"
                options.append(bytes((_FUNCTION_OPTIONS[keyword],)) + u32(self.core_reference(sort)))
                self.expect(")")
            else:
                return vec(options)

    def canon_lift(self, start: int, function: tuple[int, int | None] | None) -> None:
        """``lift core-prefix(core:funcsortidx) canonopt* (func $id? typeuse)?``, after ``(canon``.

        ``function`` is the type and identifier of the abbreviated form ``(func $id? typeuse (canon lift ...))``,
        read already; otherwise the trailing ``(func ...)`` is read first, as its inline type, if any, is
        defined before the aliases the rest may stand for (as wasm-tools orders them).
        """
        self.keyword("lift")
        if function is None:
            resume = self.i
            self.i = self._last_form(resume)
            self.expect("(")
            self.keyword("func")
            identifier = self.optional_id()
            type_index = self.type_use("func")
            self.expect(")")
            end = self.i
            self.i = resume
            function = (type_index, identifier)
        else:
            end = -1
        core_function = self.core_reference("core func")
        options = self.canon_options()
        if end >= 0:
            self.i = end
        self.expect(")")
        type_index, identifier = function
        self.append("canon", b"\x00\x00" + u32(core_function) + options + u32(type_index), start)
        self.define("func", identifier)

    def _last_form(self, at: int) -> int:
        """The token index of the last form before the ``)`` closing the form being read."""
        last = -1
        while self.toks[at][0] == "(" or self.toks[at][0] not in (")", ""):
            if self.toks[at][0] == "(":
                last = at
                at = self.skip_form(at)
            else:
                at += 1
        if last < 0 or self.toks[last + 1][0] != "func":
            self.fail("expected (func ...) at the end of canon lift", at)
        return last

    def canon_core_function(self, start: int, abbreviated: bool = False, identifier: int | None = None) -> None:
        """A ``canon`` built-in that defines a core function, after ``(canon``.

        ``abbreviated``: written ``(core func $id? (canon ...))``, ``identifier`` being that ``$id``;
        otherwise the definition ends with ``(core func $id?)``.
        """
        kind = self.tok
        self.i += 1
        out: bytes
        if kind == "lower":
            out = b"\x01\x00" + u32(self.reference("func")) + self.canon_options()
        elif kind in _PLAIN:
            out = bytes((_PLAIN[kind],))
        elif kind in _TYPED:
            out = bytes((_TYPED[kind],)) + u32(self.reference("type"))
            if kind == "resource.drop" and self.tok == "async":  # an older form: its own opcode
                self.i += 1
                out = b"\x07" + out[1:]
        elif kind in _TYPED_WITH_OPTIONS:
            out = bytes((_TYPED_WITH_OPTIONS[kind],)) + u32(self.reference("type")) + self.canon_options()
        elif kind in _TYPED_ASYNC:
            out = bytes((_TYPED_ASYNC[kind],)) + u32(self.reference("type")) + self._flag("async")
        elif kind in _WITH_OPTIONS:
            out = bytes((_WITH_OPTIONS[kind],)) + self.canon_options()
        elif kind in _CANCELLABLE:
            out = bytes((_CANCELLABLE[kind],)) + self._flag("cancellable")
        elif kind in _WAITS:
            flag = self._flag("cancellable")
            self.expect("(")
            self.keyword("memory")
            memory = self.core_reference("core memory")
            self.expect(")")
            out = bytes((_WAITS[kind],)) + flag + u32(memory)
        elif kind == "subtask.cancel":
            out = b"\x06" + self._flag("async")
        elif kind in _CONTEXT:
            valtype = self.core_valtype()
            out = bytes((_CONTEXT[kind],)) + valtype + u32(self.u32())
        elif kind == "task.return":
            results = b"\x01\x00"
            if self.at_form("result"):
                self.i += 2
                results = b"\x00" + self.valtype()
                self.expect(")")
            out = b"\x09" + results + self.canon_options()
        elif kind == "thread.new-indirect":
            function_type = self.core_reference("core type")
            out = b"\x27" + u32(function_type) + u32(self.core_reference("core table"))
        elif kind in _SHARED:
            out = bytes((_SHARED[kind],)) + self._flag("shared")
            if kind != "thread.available-parallelism":
                out += u32(self.core_reference("core type"))
            if kind == "thread.spawn-indirect":
                out += u32(self.core_reference("core table"))
        else:
            self.fail(f"unknown canonical definition {kind or 'end of input'}", self.i - 1)
        if not abbreviated:
            self.expect("(")
            self.keyword("core")
            self.keyword("func")
            identifier = self.optional_id()
            self.expect(")")
        self.expect(")")
        self.append("canon", out, start)
        self.define("core func", identifier)

    def _flag(self, word: str) -> bytes:
        if self.tok == word:
            self.i += 1
            return b"\x01"
        return b"\x00"

    def canon(self, start: int) -> None:
        """``(canon ...)`` in its own form, at ``start`` (its ``(``), after ``(canon``."""
        if self.tok == "lift":
            self.canon_lift(start, None)
        else:
            self.canon_core_function(start)
