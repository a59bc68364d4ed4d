"""The GC instructions as the interpreter's handlers call them: ``function(instance, immediate, R, first)``.

Each reads its operands from the frame ``R`` at ``first`` on (the translator puts them in consecutive
slots) and returns its result (None for those without one); the values and the rules are
:mod:`wasmrun.runtime.gc`'s.  The names are the mnemonics with ``gc_`` in front (``gc_struct_new``), as
the handler families find them (``{OP}``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wasmrun.errors import Trap
from wasmrun.runtime import gc
from wasmrun.runtime.gc import TRAP_NULL_ARRAY, TRAP_NULL_STRUCTURE

GcFunction = Callable[[Any, Any, list[Any], int], Any]


def _struct(reference: Any) -> Any:
    if reference is None:
        raise Trap(TRAP_NULL_STRUCTURE)
    return reference


def gc_struct_new(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    type_index, count = immediate
    return gc.struct_new(instance.types[type_index], R[first : first + count])


def gc_struct_new_default(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    return gc.struct_new_default(instance.types[immediate])


def gc_struct_get(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    return _struct(R[first]).fields[immediate[1]]


def _struct_get_packed(signed: bool) -> GcFunction:
    def get(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
        reference = _struct(R[first])
        storage = reference.type.composite.fields[immediate[1]].storage
        return gc.extended(storage, reference.fields[immediate[1]], signed)

    return get


def gc_struct_set(instance: Any, immediate: Any, R: list[Any], first: int) -> None:
    reference = _struct(R[first])
    field = immediate[1]
    reference.fields[field] = gc.stored(reference.type.composite.fields[field].storage, R[first + 1])


def gc_array_new(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    return gc.array_new(instance.types[immediate], R[first], R[first + 1])


def gc_array_new_default(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    return gc.array_new_default(instance.types[immediate], R[first])


def gc_array_new_fixed(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    type_index, count = immediate
    return gc.array_new_fixed(instance.types[type_index], R[first : first + count])


def gc_array_new_data(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    type_index, data_index = immediate
    return gc.array_new_data(instance.types[type_index], instance.datas[data_index], R[first], R[first + 1])


def gc_array_new_elem(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    type_index, elem_index = immediate
    return gc.array_new_elem(instance.types[type_index], instance.elements[elem_index], R[first], R[first + 1])


def gc_array_get(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    index = R[first + 1]
    return gc.check_range(R[first], index, 1)[index]


def _array_get_packed(signed: bool) -> GcFunction:
    def get(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
        array = R[first]
        index = R[first + 1]
        value = gc.check_range(array, index, 1)[index]
        return gc.extended(array.type.composite.field.storage, value, signed)

    return get


def gc_array_set(instance: Any, immediate: Any, R: list[Any], first: int) -> None:
    array = R[first]
    index = R[first + 1]
    elements = gc.check_range(array, index, 1)
    elements[index] = gc.stored(array.type.composite.field.storage, R[first + 2])


def gc_array_len(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    array = R[first]
    if array is None:
        raise Trap(TRAP_NULL_ARRAY)
    return len(array.elements)


def gc_array_fill(instance: Any, immediate: Any, R: list[Any], first: int) -> None:
    gc.array_fill(*R[first : first + 4])


def gc_array_copy(instance: Any, immediate: Any, R: list[Any], first: int) -> None:
    gc.array_copy(*R[first : first + 5])


def gc_array_init_data(instance: Any, immediate: Any, R: list[Any], first: int) -> None:
    array, destination_offset, source_offset, length = R[first : first + 4]
    gc.array_init_data(array, destination_offset, instance.datas[immediate[1]], source_offset, length)


def gc_array_init_elem(instance: Any, immediate: Any, R: list[Any], first: int) -> None:
    array, destination_offset, source_offset, length = R[first : first + 4]
    gc.array_init_elem(array, destination_offset, instance.elements[immediate[1]], source_offset, length)


def _heap(instance: Any, heap: int) -> Any:
    return instance.types[heap] if heap >= 0 else heap


def gc_ref_test(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    heap, nullable = immediate
    return int(gc.ref_test(R[first], _heap(instance, heap), nullable))


def gc_ref_cast(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    heap, nullable = immediate
    return gc.ref_cast(R[first], _heap(instance, heap), nullable)


def gc_any_convert_extern(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    return gc.any_convert_extern(R[first])


def gc_extern_convert_any(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    return gc.extern_convert_any(R[first])


def gc_ref_i31(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    return gc.I31(R[first])


def gc_i31_get_s(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    return gc.i31_get(R[first], True)


def gc_i31_get_u(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    return gc.i31_get(R[first], False)


def gc_ref_eq(instance: Any, immediate: Any, R: list[Any], first: int) -> Any:
    return gc.ref_eq(R[first], R[first + 1])


GC_FUNCTIONS: dict[str, GcFunction] = {
    name: function for name, function in globals().items() if name.startswith("gc_") and callable(function)
}
GC_FUNCTIONS.update(
    {
        "gc_struct_get_s": _struct_get_packed(True),
        "gc_struct_get_u": _struct_get_packed(False),
        "gc_array_get_s": _array_get_packed(True),
        "gc_array_get_u": _array_get_packed(False),
    }
)
"""Every GC instruction's function, by its name in the handlers' namespace."""
