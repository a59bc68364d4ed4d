"""The type section's rules (WebAssembly 3.0, GC): references within reach, sub type declarations.

A reference in a recursion group may name any type of the group or an earlier one; a declared
supertype must come before the type, must not be final, and its composite type must be matched by
the type's own (functions: parameters contravariant, results covariant; structs: a prefix of the
fields; fields and array elements: a mutable one invariant, an immutable one covariant).  Once
those hold, the module's canonical types (:mod:`wasmrun.deftypes`) go into the context.
"""

from __future__ import annotations

from typing import Any

from wasmrun.deftypes import ArrayType, FieldType, StructType, value_matches
from wasmrun.errors import ValidationError
from wasmrun.module import Module
from wasmrun.types import FuncType, RefType, type_code
from wasmrun.validation.context import Context


def check_type_section(module: Module, context: Context) -> None:
    """Check the types, then fill ``context.defined`` with their canonical identities."""
    offset = module.section_offset(1)
    subtypes = module.subtypes
    sizes = module.rec_sizes or (1,) * len(module.types)
    start = 0
    for size in sizes:
        end = start + size
        for index in range(start, end):
            for valtype in _valtypes(module.types[index]):
                if valtype.__class__ is RefType and valtype.heap.__class__ is int and valtype.heap >= end:
                    raise ValidationError(f"unknown type {valtype.heap}", offset)
                context.check_type(type_code(valtype), offset)
            if subtypes:
                supertypes = subtypes[index].supertypes
                if len(supertypes) > 1:
                    raise ValidationError("multiple supertypes", offset)
                for supertype in supertypes:
                    if supertype >= index:
                        raise ValidationError(f"unknown type {supertype}", offset)
        start = end
    context.defined = module.canonical_types()
    for index, sub in enumerate(subtypes):
        for supertype in sub.supertypes:
            declared = context.defined[supertype]
            if declared.final or not composite_matches(context.defined[index].composite, declared.composite):
                raise ValidationError(f"sub type {index} does not match super type {supertype}", offset)


def _valtypes(composite: Any) -> list[Any]:
    if composite.__class__ is StructType:
        return [f.storage for f in composite.fields]
    if composite.__class__ is ArrayType:
        return [composite.field.storage]
    return [*composite.params, *composite.results]


def composite_matches(sub: Any, sup: Any) -> bool:
    """Whether canonical composite type ``sub`` matches ``sup`` (both with canonical references)."""
    if sub.__class__ is not sup.__class__:
        return False
    if sub.__class__ is FuncType:
        return (
            len(sub.params) == len(sup.params)
            and len(sub.results) == len(sup.results)
            and all(value_matches(b, a) for a, b in zip(sub.params, sup.params))
            and all(value_matches(a, b) for a, b in zip(sub.results, sup.results))
        )
    if sub.__class__ is StructType:
        return len(sub.fields) >= len(sup.fields) and all(field_matches(a, b) for a, b in zip(sub.fields, sup.fields))
    return field_matches(sub.field, sup.field)


def field_matches(sub: FieldType, sup: FieldType) -> bool:
    """A field (or array element) of a subtype against the supertype's."""
    if sub.mutable != sup.mutable:
        return False
    if sub.storage.__class__ is not RefType and sup.storage.__class__ is not RefType:
        return bool(sub.storage == sup.storage)
    if sub.mutable:
        return value_matches(sub.storage, sup.storage) and value_matches(sup.storage, sub.storage)
    return value_matches(sub.storage, sup.storage)
