"""The names generated GC code refers to (see :mod:`wasmrun.codegen.gc`), apart from the generator: the
runtime binds them without loading it."""

from __future__ import annotations

from typing import Any

from wasmrun.runtime import gc

GC_NAMES: dict[str, Any] = {
    "GC_Struct": gc.Struct,
    "GC_Array": gc.Array,
    "GC_I31": gc.I31,
    "GC_EQ_CLASSES": (gc.I31, gc.Struct, gc.Array),
    "GC_STRUCT_NEW": gc.struct_new_stored,
    "GC_ARRAY_NEW": gc.array_new,
    "GC_ARRAY_NEW_DEFAULT": gc.array_new_default,
    "GC_ARRAY_NEW_FIXED": gc.array_new_fixed,
    "GC_ARRAY_NEW_DATA": gc.array_new_data,
    "GC_ARRAY_NEW_ELEM": gc.array_new_elem,
    "GC_ARRAY_FILL": gc.array_fill,
    "GC_ARRAY_COPY": gc.array_copy,
    "GC_ARRAY_INIT_DATA": gc.array_init_data,
    "GC_ARRAY_INIT_ELEM": gc.array_init_elem,
    "GC_REF_TEST": gc.ref_test,
    "GC_REF_EQ": gc.ref_eq,
    "GC_ANY_CONVERT_EXTERN": gc.any_convert_extern,
    "GC_EXTERN_CONVERT_ANY": gc.extern_convert_any,
    "GC_NULL_STRUCTURE": gc.null_structure,
    "GC_NULL_ARRAY": gc.null_array,
    "GC_NULL_I31": gc.null_i31,
    "GC_ARRAY_OUT_OF_BOUNDS": gc.array_out_of_bounds,
    "GC_TRAP_CAST_FAILURE": gc.TRAP_CAST_FAILURE,
}
"""What generated GC code refers to, bound in every namespace (see wasmrun.codegen.compiled)."""
