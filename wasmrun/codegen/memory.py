"""Memory and table instructions: loads and stores with the alignment they are known to have, bulk operations.

A load or store is a statement of its own line (kind ``MEMORY``: the
function's ``except`` turns what it raises into the out-of-bounds trap).  At
a constant address, or one whose alignment is known (an int, or a node of
:mod:`~wasmrun.codegen.alignment` that assembly decides), it goes through the
typed view with one shift; where the instruction's hint promises alignment
but it is unknown, through a test first; else through the struct methods.
Through a local (plus a multiple of the access's size, or plus another
such local), the index is the local's: computed once before the loop, or at
the start of a function that never writes it, or kept beside it by the loop
that moves it (:meth:`MemoryInstructions.hoisted_index`).
The bulk instructions with a length charge it when fuel is metered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from wasmrun.codegen import ranges
from wasmrun.codegen.alignment import Alignment
from wasmrun.codegen.emitter import MEMORY, TRAPS, Deferred, Emitter
from wasmrun.codegen.ranges import Choice
from wasmrun.codegen.values import Value, local_name
from wasmrun.semantics.access import LOADS, STORES, STRUCT_NAMES

_SIZES = {"<I": 4, "<Q": 8, "<H": 2, "<d": 8}
"""Struct formats of memory accesses -> the name prefix of their pre-bound methods (``U32_UNPACK``, ``U32_PACK``)."""

_UNSIGNED_WORD = re.compile(r"\b(V\d+)_I\[|\bU32_UNPACK\(")


def _signed_word(text: str) -> str:
    """An ``i32.load``'s text reading the word signed (``V0_i``, ``I32_UNPACK``)."""
    return _UNSIGNED_WORD.sub(lambda m: f"{m[1]}_i[" if m[1] else "I32_UNPACK(", text)


_V_WORD = re.compile(r"\bv\b")
_LOCAL_PLUS = re.compile(r"\(l\d+ [+-] \d+\)")
_LOCALS_SUM = re.compile(r"\(l(\d+) \+ l(\d+)\)")
_MASKED_STORE = re.compile(r"\{y\} & (\d+)")


def _index(base: str, shift: int, k: int) -> str:
    """The typed-view index of the address ``base`` (an atom) plus ``k`` elements."""
    return f"({base} >> {shift}) + {k}" if k else f"{base} >> {shift}"


def _plus(index: str, k: int) -> str:
    """A typed-view index plus ``k`` elements."""
    return f"{index} + {k}" if k else index


class TypedAccess(NamedTuple):
    """A typed-view access at a dynamic address: ``code``, the address the struct form takes; ``shift``,
    the size's; ``alignment`` and ``hinted``, what decides the form (see ``memory_line``); ``aligned``, the
    view's element when the address is known aligned; ``view`` and ``low``, the element and the low bits
    tested when it is not."""

    code: str
    shift: int
    alignment: Alignment | None
    hinted: bool
    aligned: str
    view: str
    low: str


_NARROW_LOADS = {
    "i32.load8_u": ranges.canonical_span(0, 255),
    "i32.load16_u": ranges.canonical_span(0, 65535),
    "i32.load8_s": ranges.signed_span(-128, 127),
    "i32.load16_s": ranges.signed_span(-32768, 32767),
}
"""The i32 loads narrower than a word: mnemonic -> the range of the value (see ranges.py)."""


class MemoryInstructions(Emitter):
    """Loads, stores, the memory's size and growth, bulk memory, tables."""

    @staticmethod
    def address(base: Value, offset: int) -> str:
        if isinstance(base.constant, int):
            return str(base.constant + offset)
        return f"{base.code} + {offset}" if offset else base.code

    def hoisted_index(self, base: Value, shift: int) -> tuple[str, str | None] | None:
        """The typed-view index of an address taken apart, ``(index, low bits)``, else None.

        An address that is a local plus a constant multiple of the access's size (``p``, ``p - 4``): the
        local's shift and low bits are computed once, before the loop (or at the start of the function) if
        the loop does not write the local (see ``StructuredGenerator.hoist``), else kept by the loop beside
        the local (its *shadow*, see ``StructuredGenerator.shadow``); the constant is added to the index,
        which is reduced modulo the view's length in a 32-bit address space unless the range of the sum
        shows it does not wrap.  A sum of two such locals (``p + q``), known not to wrap: the sum of their
        indexes, for an aligned access only (low bits None: two misaligned locals may sum to an aligned
        address).
        """
        offset = self.offset_of(base, i32=True)
        if offset is None:
            sum_of_locals = self.kept_sum(base, _LOCALS_SUM)
            if sum_of_locals is None:
                return None
            raw, choice, claimed = sum_of_locals
            found = _LOCALS_SUM.fullmatch(raw)
            first = self.local_index(int(found[1]), shift, tested=False) if found else None
            second = self.local_index(int(found[2]), shift, tested=False) if found else None
            if first is None or second is None:
                return None
            inner = f"{first[0]} + {second[0]}"
            return self.unwrapped_index(inner, claimed, choice, f"{base.code} >> {shift}"), None
        if offset[1] % (1 << shift):
            return None
        index, constant = offset
        known = isinstance(base.align, int) and base.align >= shift  # (aligned: never tested)
        found_names = self.local_index(index, shift, tested=not known)
        if found_names is None:
            return None
        name, low = found_names
        if not constant:
            return name, low
        elements = (constant - ranges.U32 if constant >> 31 else constant) >> shift
        inner = f"{name} {'-' if elements < 0 else '+'} {abs(elements)}"
        wrapped = f"({inner}) % {1 << (32 - shift)}"
        kept = self.kept_sum(base, _LOCAL_PLUS)
        if kept is None or kept[0] != f"(l{index} {'-' if elements < 0 else '+'} {abs(elements) << shift})":
            return wrapped, low
        return self.unwrapped_index(inner, kept[2], kept[1], wrapped), low

    def local_index(self, index: int, shift: int, tested: bool = True) -> tuple[str, str] | None:
        """Local ``index`` as a typed-view index and its low bits: names computed before the loop or function
        (hoisted; the low bits only if the access may be ``tested``), or the loop's shadow and the local's
        own low bits; None in a form that keeps neither."""
        local = Value(local_name(index), frozenset((index,)), simple=True)
        low = f"{local.code} & {(1 << shift) - 1}"
        name = self.hoist(local, f"{local.code} >> {shift}", whole_function=True)
        if name is not None:
            hoisted_low = self.hoist(local, low, whole_function=True) if tested else low
            if hoisted_low is None:
                return None
            if ranges.CHECKED and hoisted_low != low:
                hoisted_low = f"SAME_CHECKED({hoisted_low}, {low})"
        else:
            name = self.shadow(index, shift)
            if name is None:
                return None
            hoisted_low = low
        if ranges.CHECKED:  # (each use checks the name still holds the local's index)
            name = f"SAME_CHECKED({name}, {local.code} >> {shift})"
        return name, hoisted_low

    def unwrapped_index(self, inner: str, claimed: str, choice: Choice | None, otherwise: str) -> str:
        """The index ``inner`` of a sum that does not wrap: its claim checked under ``ranges.CHECKED``, and if
        the range is known only once solved (``choice``, the sum's own), a choice of it or ``otherwise``."""
        kept = f"({inner} if {claimed} >= 0 else 0)" if ranges.CHECKED else f"({inner})"
        if choice is None:
            return kept
        return ranges.choice_text(self.choices, Choice(choice.node, choice.test, kept, otherwise))

    def kept_sum(self, base: Value, pattern: re.Pattern[str]) -> tuple[str, Choice | None, str] | None:
        """If ``base``'s text is a sum of ``pattern``'s form left unreduced because its range shows it does not
        wrap (now, or once solved): ``(the sum's text, the choice of it if not decided yet, its claimed
        text)``, else None."""
        code = base.code
        marker = ranges.MARKER.fullmatch(code)
        choice = None
        if marker is not None:
            choice = self.choices[int(marker[1])]
            if choice.test is not ranges.fits:
                return None
            code = choice.yes
        raw = code[len("RANGE_CHECKED(") : -len(", 4294967296)")] if code.startswith("RANGE_CHECKED(") else code
        if pattern.fullmatch(raw) is None:
            return None
        return raw, choice, code

    def typed(self, access: str, address: str, view: str = "V0") -> str | None:
        """``V0_<format>[index]`` for an access at a constant aligned address, if there is a typed view."""
        if not address.isdigit() or access[1] not in self.typed_views:
            return None
        size = _SIZES[access]
        constant = int(address)
        return f"{view}_{access[1]}[{constant // size}]" if constant % size == 0 else None

    def typed_access(self, access: str, memarg: tuple[int, int, int], base: Value) -> TypedAccess:
        """The forms of a load or store of a typed-view format at dynamic address ``base`` (plus ``memarg``'s
        offset): through the index the address's local keeps (:meth:`hoisted_index`), else through
        :meth:`access_form`'s."""
        size = _SIZES[access]
        shift = size.bit_length() - 1
        k = memarg[1] // size
        view = f"V{memarg[2]}_{access[1]}"
        hoisted = self.hoisted_index(base, shift) if self.viewed(access, memarg) else None
        if hoisted is not None and hoisted[1] is not None:
            kept = f"{view}[{_plus(hoisted[0], k)}]"
            return TypedAccess(base.code, shift, base.align, memarg[0] >= shift, kept, kept, hoisted[1])
        code, test, alignment, hinted = self.access_form(access, memarg, base)
        aligned = f"{view}[{_plus(hoisted[0], k) if hoisted else _index(base.code, shift, k)}]"
        tested = f"{view}[{_index(code, shift, k)}]"
        return TypedAccess(code, shift, alignment, hinted, aligned, tested, f"{test} & {size - 1}")

    def viewed(self, access: str, memarg: tuple[int, int, int]) -> bool:
        """Whether an access of a typed-view format at a dynamic address can go through the view when aligned
        (there is a view, and the offset is a multiple of the size)."""
        return access[1] in self.typed_views and not memarg[1] % _SIZES[access]

    def access_form(
        self, access: str, memarg: tuple[int, int, int], base: Value
    ) -> tuple[str, str, Alignment | None, bool]:
        """How an access of a typed-view format at a dynamic address goes: ``(base, tested base, alignment, hinted)``.

        ``alignment`` is the known alignment of the address (an int or a node:
        see :mod:`~wasmrun.codegen.alignment`), or None when the
        typed view cannot serve it (no view, or an offset that is not a
        multiple of the size); ``hinted`` says the instruction's hint promises
        natural alignment, which makes testing for it worth while.  The
        tested form names a base that is not an atom it can repeat: the test,
        evaluated first, assigns it (``if not (t1 := l2 + 8) & 3``), and
        ``base`` is that name, the tested base the assignment.
        """
        size = _SIZES[access]
        if access[1] not in self.typed_views or memarg[1] % size:
            return base.code, base.code, None, False
        alignment = base.align
        hinted = memarg[0] >= size.bit_length() - 1
        if hinted and not base.simple and not (isinstance(alignment, int) and alignment >= size.bit_length() - 1):
            name = self.temp()
            return name, f"({name} := {base.code})", alignment, hinted
        return base.code, base.code, alignment, hinted

    def memory_line(self, alignment: Alignment | None, shift: int, hinted: bool, forms: tuple[str, str, str]) -> None:
        """Emit the access: ``forms`` are its aligned, tested and general texts (see :meth:`access_form`)."""
        aligned, tested, general = forms
        if alignment is None:
            self.emit(general, MEMORY)
        elif isinstance(alignment, int):
            self.emit(aligned if alignment >= shift else tested if hinted else general, MEMORY)
        else:
            # A placeholder line, replaced at assembly (the text begins with NUL, which no Python line does).
            self.emit(f"\0{len(self.deferred)}", MEMORY)
            self.deferred.append(Deferred(alignment, shift, aligned, tested if hinted else general))

    def load(self, mnemonic: str, memarg: tuple[int, int, int]) -> None:
        access, convert = LOADS[mnemonic]
        base = self.pop()
        offset = memarg[1]
        V0 = f"V{memarg[2]}"  # the memory's view (memory 0's in all but multi-memory modules)
        if access == "byte" or isinstance(base.constant, int):
            address = self.address(base, offset)
            name, push = self.destination() if convert == "v" else (self.temp(), True)
            typed = self.typed(access, address, V0) if access != "byte" else None
            if access == "byte":
                self.emit(f"{name} = {V0}[{address}]", MEMORY)
            elif typed is not None:
                self.emit(f"{name} = {typed}", MEMORY)
            else:
                self.emit(f"{name} = {STRUCT_NAMES[access]}_UNPACK({V0}, {address})[0]", MEMORY)
        else:
            typed_access = self.typed_access(access, memarg, base)
            code = typed_access.code
            name, push = self.destination() if convert == "v" else (self.temp(), True)
            unpack = f"{STRUCT_NAMES[access]}_UNPACK({V0}, {code + ' + ' + str(offset) if offset else code})[0]"
            forms = (
                f"{name} = {typed_access.aligned}",
                f"{name} = {typed_access.view} if not {typed_access.low} else {unpack}",
                f"{name} = {STRUCT_NAMES[access]}_UNPACK({V0}, {self.address(base, offset)})[0]",
            )
            self.memory_line(typed_access.alignment, typed_access.shift, typed_access.hinted, forms)
        if convert == "v":
            if push:
                self.push_result(name)
                if access == "<I" and name[0] == "t" and ("i" in self.typed_views or not self.typed_views):
                    self.stack[-1].signable = self.signed_reader()
            span = _NARROW_LOADS.get(mnemonic)
            if span is not None:
                self.set_result_range(name, span)
        else:
            self.push(Value("(" + _V_WORD.sub(name, convert) + ")", depth=1, range=_NARROW_LOADS.get(mnemonic)))

    def signed_reader(self) -> Callable[[], None]:
        """What makes the ``i32.load`` just emitted (its line, or its forms waiting for an alignment) read
        the word signed: for a product, whose result is the same modulo 2**32, of smaller operands
        (a product of two words read unsigned is a multi-digit int when either is negative)."""
        lines, index = self.lines, len(self.lines) - 1
        indent, text, kind, offset = lines[index]
        if text[0] == "\0":
            deferred = self.deferred[int(text[1:])]

            def rewrite_deferred() -> None:
                deferred.aligned = _signed_word(deferred.aligned)
                deferred.otherwise = _signed_word(deferred.otherwise)

            return rewrite_deferred

        def rewrite_line() -> None:
            lines[index] = (indent, _signed_word(text), kind, offset)

        return rewrite_line

    def store(self, mnemonic: str, memarg: tuple[int, int, int]) -> None:
        access, convert = STORES[mnemonic]
        value = self.pop()
        base = self.pop()
        offset = memarg[1]
        V0 = f"V{memarg[2]}"  # the memory's view
        masked = _MASKED_STORE.fullmatch(convert)
        if masked is not None and isinstance(value.constant, int):
            stored = str(value.constant & int(masked.group(1)))
        else:
            stored = convert.replace("{y}", value.code)
        if access == "byte" or isinstance(base.constant, int):
            address = self.address(base, offset)
            typed = self.typed(access, address, V0) if access != "byte" else None
            if access == "byte":
                self.emit(f"{V0}[{address}] = {stored}", MEMORY)
            elif typed is not None:
                self.emit(f"{typed} = {stored}", MEMORY)
            else:
                self.emit(f"{STRUCT_NAMES[access]}_PACK({V0}, {address}, {stored})", MEMORY)
            return
        typed_access = self.typed_access(access, memarg, base)
        code = typed_access.code
        pack = f"{STRUCT_NAMES[access]}_PACK({V0}, {code + ' + ' + str(offset) if offset else code}, {stored})"
        # The tested form is two lines (an assignment is no expression); only one of them runs, so the
        # stored expression, pure, may appear in both.
        forms = (
            f"{typed_access.aligned} = {stored}",
            f"if not {typed_access.low}: {typed_access.view} = {stored}\nelse: {pack}",
            f"{STRUCT_NAMES[access]}_PACK({V0}, {self.address(base, offset)}, {stored})",
        )
        self.memory_line(typed_access.alignment, typed_access.shift, typed_access.hinted, forms)

    def op_memory_size(self, memory: int) -> None:
        name = self.temp()
        self.emit(f"{name} = m{memory}.pages")
        self.push(Value(name, simple=True))

    def op_memory_grow(self, memory: int) -> None:
        length = self.bulk_length()
        delta = self.pop()
        name = self.temp()
        self.emit(f"{name} = m{memory}.grow({delta.code})")
        if length is not None:
            self.emit(f"if {name} >= 0: FUEL_USE({length})", TRAPS)
        self.push(Value(f"({name} if {name} >= 0 else m{memory}.grow_failed)", depth=1))

    def pop_codes(self, count: int) -> list[str]:
        values = self.top(count)
        del self.stack[len(self.stack) - count :]
        return [value.code for value in values]

    def bulk(self, text: str, length: str | None) -> None:
        """A bulk instruction's line, then the charge of its length if it has one (see :meth:`bulk_length`)."""
        self.emit(text, TRAPS)
        if length is not None:
            self.emit(f"FUEL_USE({length})", TRAPS)

    def op_memory_fill(self, memory: int) -> None:
        length = self.bulk_length()
        p, v, n = self.pop_codes(3)
        self.bulk(f"m{memory}.fill({p}, {v}, {n})", length)

    def op_memory_copy(self, memories: tuple[int, int]) -> None:
        length = self.bulk_length()
        p, q, n = self.pop_codes(3)
        if memories[0] == memories[1]:
            self.bulk(f"m{memories[0]}.copy({p}, {q}, {n})", length)
        else:
            self.bulk(f"m{memories[0]}.copy_from({p}, m{memories[1]}, {q}, {n})", length)

    def op_memory_init(self, immediate: tuple[int, int]) -> None:
        segment, memory = immediate
        length = self.bulk_length()
        p, q, n = self.pop_codes(3)
        self.bulk(f"m{memory}.init({p}, datas[{segment}], {q}, {n})", length)

    def op_data_drop(self, segment: int) -> None:
        self.emit(f"datas[{segment}] = b''")

    # --- tables ---------------------------------------------------------------------------------

    def op_table_get(self, table: int) -> None:
        (i,) = self.pop_codes(1)
        name = self.temp()
        self.emit(f"{name} = T{table}.get({i})", TRAPS)
        self.push(Value(name, simple=True))

    def op_table_set(self, table: int) -> None:
        i, v = self.pop_codes(2)
        self.emit(f"T{table}.set({i}, {v})", TRAPS)

    def op_table_size(self, table: int) -> None:
        name = self.temp()
        self.emit(f"{name} = len(E{table})")
        self.push(Value(name, simple=True))

    def op_table_grow(self, table: int) -> None:
        length = self.bulk_length()
        v, n = self.pop_codes(2)
        name = self.temp()
        self.emit(f"{name} = T{table}.grow({n}, {v})")
        if length is not None:
            self.emit(f"if {name} >= 0: FUEL_USE({length})", TRAPS)
        self.push(Value(f"({name} if {name} >= 0 else T{table}.grow_failed)", depth=1))

    def op_table_fill(self, table: int) -> None:
        length = self.bulk_length()
        p, v, n = self.pop_codes(3)
        self.bulk(f"T{table}.fill({p}, {v}, {n})", length)

    def op_table_copy(self, tables: tuple[int, int]) -> None:
        length = self.bulk_length()
        p, q, n = self.pop_codes(3)
        self.bulk(f"T{tables[0]}.copy({p}, T{tables[1]}, {q}, {n})", length)

    def op_table_init(self, immediate: tuple[int, int]) -> None:
        segment, table = immediate
        length = self.bulk_length()
        p, q, n = self.pop_codes(3)
        self.bulk(f"T{table}.init({p}, elems[{segment}], {q}, {n})", length)

    def op_elem_drop(self, segment: int) -> None:
        self.emit(f"elems[{segment}] = ()")
