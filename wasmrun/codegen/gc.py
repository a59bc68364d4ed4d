"""The GC instructions (WebAssembly 3.0) in generated code, shared by both forms.

The values and rules are :mod:`wasmrun.runtime.gc`'s, whose names the namespace binds with ``GC_`` in
front (:data:`wasmrun.codegen.gc_names.GC_NAMES`).  Fast paths, each one line of its own (it can trap: the frame's offset is its
instruction's):

* a field read is an attribute and an index, the null test folded in: ``t3 = (l0 or
  GC_NULL_STRUCTURE()).fields[1]`` (a struct, an array and an ``i31`` are always true; null is None);
* an array element is read after its bounds test in the same expression (``t4 = t3[l1] if l1 <
  len(t3) else GC_ARRAY_OUT_OF_BOUNDS()``, the elements fetched the line before);
* ``ref.test``, ``ref.cast`` and ``br_on_cast*`` to a defined type look at the value's canonical type's
  supertype chain: one index and one ``is`` (``l0.__class__ is GC_Struct and l0.type.chain[0] is ty3``),
  the index the target's depth in its own chain, known when the code is generated;
* ``ref.i31`` and the ``i31.get`` reads are inline.

Allocations go through the runtime's functions: one place for what an allocation does.  A struct's
fields are written out as it keeps them (``GC_STRUCT_NEW(ty0, [t1, t2 & 255])``, a default struct's
zeros and nulls as literals), so its allocation does no per-field work.  Packed reads extend inline
(``(x ^ 128) - 128`` for ``_s``); packed writes wrap.
"""

from __future__ import annotations

from typing import Any, cast

from wasmrun.codegen.emitter import TRAPS, Emitter
from wasmrun.codegen.values import Value
from wasmrun.deftypes import ArrayType, PackedType, StructType
from wasmrun.runtime import gc
from wasmrun.types import (
    BOTTOM_HEAPS,
    HEAP_ANY,
    HEAP_ARRAY,
    HEAP_EQ,
    HEAP_EXN,
    HEAP_EXTERN,
    HEAP_FUNC,
    HEAP_I31,
    HEAP_STRUCT,
    RefType,
    as_ref,
)

_ANY_TOPS = frozenset((HEAP_ANY, HEAP_FUNC, HEAP_EXTERN, HEAP_EXN))  # every non-null value of its hierarchy
_CLASS_TESTS = {
    HEAP_I31: "{x}.__class__ is GC_I31",
    HEAP_STRUCT: "{x}.__class__ is GC_Struct",
    HEAP_ARRAY: "{x}.__class__ is GC_Array",
    HEAP_EQ: "{x}.__class__ in GC_EQ_CLASSES",
}


def sign_extended(code: str, bits: int) -> str:
    """The i32 (canonical) of the ``bits``-bit unsigned value ``code``, read signed."""
    half = 1 << (bits - 1)
    return f"((({code}) ^ {half}) - {half}) & 4294967295"


class GcInstructions(Emitter):
    """The GC instructions of both forms (see the module docstring)."""

    def simple_top(self) -> Value:
        raise NotImplementedError  # (wasmrun.codegen.control.Generator's)

    def branch(self, depth: int, condition: Value | None) -> None:
        raise NotImplementedError  # (each form's)

    # --- helpers ------------------------------------------------------------------------------

    def gc_values(self, count: int) -> list[Value]:
        """The top ``count`` entries popped, each a name or a literal (they may be used twice)."""
        for index in range(len(self.stack) - count, len(self.stack)):
            if not self.stack[index].simple:
                self.materialize(index)
        values = self.top(count)
        del self.stack[len(self.stack) - count :]
        return values

    def gc_codes(self, count: int) -> list[str]:
        """The top ``count`` entries popped, as names or literals, for a statement written now."""
        return [value.code for value in self.gc_values(count)]

    def gc_result(self, expression: str, length: str | None = None) -> None:
        """A statement (it may trap) whose one result is ``expression``; then the charge of ``length``, the
        length a bulk instruction charges when it runs (see :meth:`Emitter.bulk_length`)."""
        name, push = self.destination()
        self.emit(f"{name} = {expression}", TRAPS)
        if length is not None:
            self.emit(f"FUEL_USE({length})", TRAPS)
        if push:
            self.push_result(name)

    def gc_bulk(self, text: str, length: str | None) -> None:
        self.emit(text, TRAPS)
        if length is not None:
            self.emit(f"FUEL_USE({length})", TRAPS)

    def gc_struct(self, type_index: int) -> StructType:
        return cast(StructType, self.module.types[type_index])  # (validated)

    def gc_array(self, type_index: int) -> ArrayType:
        return cast(ArrayType, self.module.types[type_index])  # (validated)

    def gc_test(self, code: str, heap: int, nullable: bool) -> str:
        """The expression of ``ref.test`` of ``code`` (a name) against ``(ref null? heap)``."""
        if heap >= 0:
            test = self.gc_defined_test(code, heap)
        elif heap in BOTTOM_HEAPS:
            test = "False"
        elif heap in _ANY_TOPS:
            test = f"{code} is not None"
        else:
            class_test = _CLASS_TESTS.get(heap)
            test = class_test.format(x=code) if class_test else f"GC_REF_TEST({code}, {heap}, False)"
        if nullable:
            return f"({code} is None or {test})"
        return f"({test})"

    def gc_defined_test(self, code: str, type_index: int) -> str:
        """Whether ``code`` (not null) is of defined type ``type_index`` or a subtype: its canonical type's
        supertype chain has the target at the target's depth."""
        depth = len(self.module.canonical_types()[type_index].chain)
        composite = self.module.types[type_index]
        at = f"{code}.type.chain[{depth - 1}] is ty{type_index}"
        if depth > 1:
            at = f"len({code}.type.chain) >= {depth} and {at}"
        if isinstance(composite, StructType):
            return f"{code}.__class__ is GC_Struct and {at}"
        if isinstance(composite, ArrayType):
            return f"{code}.__class__ is GC_Array and {at}"
        return f"{code} is not None and {at}"  # a function type: every non-null value is a function

    # --- structs ------------------------------------------------------------------------------

    def op_struct_new(self, type_index: int) -> None:
        fields = self.gc_struct(type_index).fields
        values = self.gc_codes(len(fields))
        for index, field in enumerate(fields):
            if isinstance(field.storage, PackedType):
                values[index] = f"{values[index]} & {(1 << field.storage.bits) - 1}"
        self.gc_result(f"GC_STRUCT_NEW(ty{type_index}, [{', '.join(values)}])")

    def op_struct_new_default(self, type_index: int) -> None:
        defaults = [repr(gc.default_value(field.storage)) for field in self.gc_struct(type_index).fields]
        self.gc_result(f"GC_STRUCT_NEW(ty{type_index}, [{', '.join(defaults)}])")

    def struct_read(self, immediate: tuple[int, int], signed: bool) -> None:
        type_index, field = immediate
        (reference,) = self.gc_codes(1)
        read = f"({reference} or GC_NULL_STRUCTURE()).fields[{field}]"
        storage = self.gc_struct(type_index).fields[field].storage
        if signed and isinstance(storage, PackedType):
            read = sign_extended(read, storage.bits)
        self.gc_result(read)

    def op_struct_get(self, immediate: tuple[int, int]) -> None:
        self.struct_read(immediate, False)

    def op_struct_get_s(self, immediate: tuple[int, int]) -> None:
        self.struct_read(immediate, True)

    def op_struct_get_u(self, immediate: tuple[int, int]) -> None:
        self.struct_read(immediate, False)

    def op_struct_set(self, immediate: tuple[int, int]) -> None:
        type_index, field = immediate
        reference, value = self.gc_codes(2)
        storage = self.gc_struct(type_index).fields[field].storage
        if isinstance(storage, PackedType):
            value = f"{value} & {(1 << storage.bits) - 1}"
        self.emit(f"({reference} or GC_NULL_STRUCTURE()).fields[{field}] = {value}", TRAPS)

    # --- arrays -------------------------------------------------------------------------------

    def op_array_new(self, type_index: int) -> None:
        charged = self.bulk_length()
        value, length = self.gc_codes(2)
        self.gc_result(f"GC_ARRAY_NEW(ty{type_index}, {value}, {length})", charged)

    def op_array_new_default(self, type_index: int) -> None:
        charged = self.bulk_length()
        (length,) = self.gc_codes(1)
        self.gc_result(f"GC_ARRAY_NEW_DEFAULT(ty{type_index}, {length})", charged)

    def op_array_new_fixed(self, immediate: tuple[int, int]) -> None:
        type_index, count = immediate
        values = self.gc_codes(count)
        self.gc_result(f"GC_ARRAY_NEW_FIXED(ty{type_index}, [{', '.join(values)}])")

    def op_array_new_data(self, immediate: tuple[int, int]) -> None:
        type_index, data_index = immediate
        charged = self.bulk_length()
        offset, length = self.gc_codes(2)
        self.gc_result(f"GC_ARRAY_NEW_DATA(ty{type_index}, datas[{data_index}], {offset}, {length})", charged)

    def op_array_new_elem(self, immediate: tuple[int, int]) -> None:
        type_index, elem_index = immediate
        charged = self.bulk_length()
        offset, length = self.gc_codes(2)
        self.gc_result(f"GC_ARRAY_NEW_ELEM(ty{type_index}, elems[{elem_index}], {offset}, {length})", charged)

    def array_elements(self, array: str) -> str:
        """A line fetching the elements of ``array`` (the null trap): their name."""
        elements = self.temp()
        self.emit(f"{elements} = ({array} or GC_NULL_ARRAY()).elements", TRAPS)
        return elements

    def array_read(self, type_index: int, signed: bool) -> None:
        array, index = self.gc_codes(2)
        elements = self.array_elements(array)
        read = f"{elements}[{index}]"
        storage = self.gc_array(type_index).field.storage
        if signed and isinstance(storage, PackedType):
            read = sign_extended(read, storage.bits)
        self.gc_result(f"{read} if {index} < len({elements}) else GC_ARRAY_OUT_OF_BOUNDS()")

    def op_array_get(self, type_index: int) -> None:
        self.array_read(type_index, False)

    def op_array_get_s(self, type_index: int) -> None:
        self.array_read(type_index, True)

    def op_array_get_u(self, type_index: int) -> None:
        self.array_read(type_index, False)

    def op_array_set(self, type_index: int) -> None:
        array, index, value = self.gc_codes(3)
        storage = self.gc_array(type_index).field.storage
        if isinstance(storage, PackedType):
            value = f"{value} & {(1 << storage.bits) - 1}"
        elements = self.array_elements(array)
        self.emit(f"if {index} >= len({elements}): GC_ARRAY_OUT_OF_BOUNDS()", TRAPS)
        self.emit(f"{elements}[{index}] = {value}")

    def op_array_len(self, _immediate: None) -> None:
        (array,) = self.gc_codes(1)
        self.gc_result(f"len(({array} or GC_NULL_ARRAY()).elements)")

    def op_array_fill(self, _type_index: int) -> None:
        charged = self.bulk_length()
        codes = self.gc_codes(4)
        self.gc_bulk(f"GC_ARRAY_FILL({', '.join(codes)})", charged)

    def op_array_copy(self, _immediate: tuple[int, int]) -> None:
        charged = self.bulk_length()
        codes = self.gc_codes(5)
        self.gc_bulk(f"GC_ARRAY_COPY({', '.join(codes)})", charged)

    def op_array_init_data(self, immediate: tuple[int, int]) -> None:
        charged = self.bulk_length()
        array, destination, source, length = self.gc_codes(4)
        segment = f"datas[{immediate[1]}]"
        self.gc_bulk(f"GC_ARRAY_INIT_DATA({array}, {destination}, {segment}, {source}, {length})", charged)

    def op_array_init_elem(self, immediate: tuple[int, int]) -> None:
        charged = self.bulk_length()
        array, destination, source, length = self.gc_codes(4)
        segment = f"elems[{immediate[1]}]"
        self.gc_bulk(f"GC_ARRAY_INIT_ELEM({array}, {destination}, {segment}, {source}, {length})", charged)

    # --- tests and casts ----------------------------------------------------------------------

    def op_ref_test(self, heap: int) -> None:
        (reference,) = self.gc_values(1)
        self.push_expression(f"int{self.gc_test(reference.code, heap, False)}", (reference,), 2)

    def op_ref_test_null(self, heap: int) -> None:
        (reference,) = self.gc_values(1)
        self.push_expression(f"int{self.gc_test(reference.code, heap, True)}", (reference,), 2)

    def cast(self, heap: int, nullable: bool) -> None:
        reference = self.simple_top()
        self.emit(f"if not {self.gc_test(reference.code, heap, nullable)}: raise Trap(GC_TRAP_CAST_FAILURE)", TRAPS)
        self.push(reference)

    def op_ref_cast(self, heap: int) -> None:
        self.cast(heap, False)

    def op_ref_cast_null(self, heap: int) -> None:
        self.cast(heap, True)

    def cast_branch(self, immediate: Any, on_failure: bool) -> None:
        """``br_on_cast``/``br_on_cast_fail``: the reference stays on the stack on both paths."""
        label, _source, target = immediate
        reference_type = cast(RefType, as_ref(target))  # (the decoder reads a reference type here)
        reference = self.simple_top()
        self.push(reference)
        test = self.gc_test(reference.code, reference_type.heap, reference_type.nullable)
        self.branch(label, Value(f"(not {test})" if on_failure else test))

    def op_br_on_cast(self, immediate: Any) -> None:
        self.cast_branch(immediate, False)

    def op_br_on_cast_fail(self, immediate: Any) -> None:
        self.cast_branch(immediate, True)

    # --- conversions, i31, equality -------------------------------------------------------------

    def op_any_convert_extern(self, _immediate: None) -> None:
        value = self.pop()
        self.push_expression(f"GC_ANY_CONVERT_EXTERN({value.code})", (value,), 1)

    def op_extern_convert_any(self, _immediate: None) -> None:
        value = self.pop()
        self.push_expression(f"GC_EXTERN_CONVERT_ANY({value.code})", (value,), 1)

    def op_ref_i31(self, _immediate: None) -> None:
        value = self.pop()
        self.push_expression(f"GC_I31({value.code})", (value,), 1)

    def i31_read(self, signed: bool) -> None:
        (reference,) = self.gc_codes(1)
        read = f"({reference} or GC_NULL_I31()).value"
        self.gc_result(sign_extended(read, 31) if signed else read)

    def op_i31_get_s(self, _immediate: None) -> None:
        self.i31_read(True)

    def op_i31_get_u(self, _immediate: None) -> None:
        self.i31_read(False)

    def op_ref_eq(self, _immediate: None) -> None:
        first, second = self.gc_values(2)
        code = f"(1 if {first.code} is {second.code} else GC_REF_EQ({first.code}, {second.code}))"
        self.push_expression(code, (first, second), 1)
