"""The interpreter's translation of the GC instructions (WebAssembly 3.0).

A mixin of the translator (:mod:`wasmrun.interp.translate`).  Every GC instruction becomes one handler
of the ``gc.1`` family (it has a result) or ``gc.0`` (it has none) calling its function of
:mod:`wasmrun.semantics.gc` with the instance, its immediate (plain data, so translations stay
cacheable) and its operands, which are first put in consecutive frame slots (as a call's arguments).
``br_on_cast`` and ``br_on_cast_fail`` test the reference into a spare slot above the stack and
branch on it with the reference left in place.

The bulk array instructions that charge their length in fuel take the ``.fuel`` variants of the
families, with the length's slot (see :mod:`wasmrun.semantics.fuel`).  The compiled tier generates its
own code for them (:mod:`wasmrun.codegen.gc`).
"""

from __future__ import annotations

from typing import Any, cast

from wasmrun.instructions import OPCODES
from wasmrun.module import Module
from wasmrun.types import RefType, as_ref


class GcTranslation:
    """The translator's methods for the GC instructions (see the module docstring)."""

    # What the translator provides (wasmrun.interp.translate._Translator).
    module: Module
    stack: list[Any]
    base: int
    position: int
    instructions: list[tuple[int, Any, int]]

    def label(self, depth: int) -> Any: ...
    def materialize(self, depth: int) -> None: ...
    def emit(self, family: str, op: str | None, shape: str, *args: Any) -> Any: ...
    def bulk_family(self, family: str) -> Any: ...
    def result_destination(self) -> Any: ...
    def push_slot(self) -> Any: ...
    def conditional_jump(self, ctrl: Any, family: str, op: str | None, operands: list[Any]) -> None: ...

    def gc_operation(self, mnemonic: str, operands: int, immediate: Any, result: bool) -> None:
        """Emit the handler of GC instruction ``mnemonic`` over the top ``operands`` values."""
        height = len(self.stack)
        for depth in range(height - operands, height):
            self.materialize(depth)
        del self.stack[height - operands :]
        first = self.base + height - operands
        family = "gc.1" if result else "gc.0"
        metered = self.bulk_family(family) if OPCODES[self.instructions[self.position][0]].fuel == "bulk" else family
        lengths = (first + operands - 1,) if metered != family else ()  # the length it charges
        if result:
            self.emit(metered, "gc." + mnemonic, "", self.result_destination(), immediate, first, *lengths)
        else:
            self.emit(metered, "gc." + mnemonic, "", immediate, first, *lengths)

    def _fields(self, type_index: int) -> int:
        return len(self.module.types[type_index].fields)

    def op_struct_new(self, type_index: int) -> None:
        self.gc_operation("struct.new", self._fields(type_index), (type_index, self._fields(type_index)), True)

    def op_struct_new_default(self, type_index: int) -> None:
        self.gc_operation("struct.new_default", 0, type_index, True)

    def op_struct_get(self, immediate: tuple[int, int]) -> None:
        self.gc_operation("struct.get", 1, immediate, True)

    def op_struct_get_s(self, immediate: tuple[int, int]) -> None:
        self.gc_operation("struct.get_s", 1, immediate, True)

    def op_struct_get_u(self, immediate: tuple[int, int]) -> None:
        self.gc_operation("struct.get_u", 1, immediate, True)

    def op_struct_set(self, immediate: tuple[int, int]) -> None:
        self.gc_operation("struct.set", 2, immediate, False)

    def op_array_new(self, type_index: int) -> None:
        self.gc_operation("array.new", 2, type_index, True)

    def op_array_new_default(self, type_index: int) -> None:
        self.gc_operation("array.new_default", 1, type_index, True)

    def op_array_new_fixed(self, immediate: tuple[int, int]) -> None:
        self.gc_operation("array.new_fixed", immediate[1], immediate, True)

    def op_array_new_data(self, immediate: tuple[int, int]) -> None:
        self.gc_operation("array.new_data", 2, immediate, True)

    def op_array_new_elem(self, immediate: tuple[int, int]) -> None:
        self.gc_operation("array.new_elem", 2, immediate, True)

    def op_array_get(self, type_index: int) -> None:
        self.gc_operation("array.get", 2, type_index, True)

    def op_array_get_s(self, type_index: int) -> None:
        self.gc_operation("array.get_s", 2, type_index, True)

    def op_array_get_u(self, type_index: int) -> None:
        self.gc_operation("array.get_u", 2, type_index, True)

    def op_array_set(self, type_index: int) -> None:
        self.gc_operation("array.set", 3, type_index, False)

    def op_array_len(self, _immediate: None) -> None:
        self.gc_operation("array.len", 1, None, True)

    def op_array_fill(self, type_index: int) -> None:
        self.gc_operation("array.fill", 4, type_index, False)

    def op_array_copy(self, immediate: tuple[int, int]) -> None:
        self.gc_operation("array.copy", 5, immediate, False)

    def op_array_init_data(self, immediate: tuple[int, int]) -> None:
        self.gc_operation("array.init_data", 4, immediate, False)

    def op_array_init_elem(self, immediate: tuple[int, int]) -> None:
        self.gc_operation("array.init_elem", 4, immediate, False)

    def op_ref_test(self, heap: int) -> None:
        self.gc_operation("ref.test", 1, (heap, False), True)

    def op_ref_test_null(self, heap: int) -> None:
        self.gc_operation("ref.test", 1, (heap, True), True)

    def op_ref_cast(self, heap: int) -> None:
        self.gc_operation("ref.cast", 1, (heap, False), True)

    def op_ref_cast_null(self, heap: int) -> None:
        self.gc_operation("ref.cast", 1, (heap, True), True)

    def _cast_branch(self, immediate: Any, family: str) -> None:
        label, _source, target = immediate
        height = len(self.stack)
        self.materialize(height - 1)
        slot = self.push_slot()  # a spare slot above the reference, for the test's result
        self.stack.pop()
        reference = cast(RefType, as_ref(target))  # (the decoder reads a reference type here)
        self.emit("gc.1", "gc.ref.test", "", slot, (reference.heap, reference.nullable), self.base + height - 1)
        self.conditional_jump(self.label(label), family, None, [("r", slot)])

    def op_br_on_cast(self, immediate: Any) -> None:
        self._cast_branch(immediate, "br_if")

    def op_br_on_cast_fail(self, immediate: Any) -> None:
        self._cast_branch(immediate, "br_unless")

    def op_any_convert_extern(self, _immediate: None) -> None:
        self.gc_operation("any.convert_extern", 1, None, True)

    def op_extern_convert_any(self, _immediate: None) -> None:
        self.gc_operation("extern.convert_any", 1, None, True)

    def op_ref_i31(self, _immediate: None) -> None:
        self.gc_operation("ref.i31", 1, None, True)

    def op_i31_get_s(self, _immediate: None) -> None:
        self.gc_operation("i31.get_s", 1, None, True)

    def op_i31_get_u(self, _immediate: None) -> None:
        self.gc_operation("i31.get_u", 1, None, True)

    def op_ref_eq(self, _immediate: None) -> None:
        self.gc_operation("ref.eq", 2, None, True)
