"""GC types: iso-recursive canonicalisation across modules, and subtyping (WebAssembly 3.0)."""

from __future__ import annotations

import pytest

from wasmrun.deftypes import DefinedType, heap_matches
from wasmrun.loader import load_module
from wasmrun.types import (
    HEAP_ANY,
    HEAP_ARRAY,
    HEAP_EQ,
    HEAP_EXN,
    HEAP_EXTERN,
    HEAP_FUNC,
    HEAP_I31,
    HEAP_NOEXN,
    HEAP_NOEXTERN,
    HEAP_NOFUNC,
    HEAP_NONE,
    HEAP_STRUCT,
    abstract_heap_subtype,
)


def defined(types: str, index: int) -> DefinedType:
    """The canonical type ``index`` of a module declaring ``types``."""
    return load_module(f"(module {types})".encode()).canonical_types()[index]


# (types of module A, index in A, types of module B, index in B, the same type?)
EQUALITY = {
    "equal function types": ("(type (func (param i32)))", 0, "(type (func (param i32)))", 0, True),
    "different parameters": ("(type (func (param i32)))", 0, "(type (func (param i64)))", 0, False),
    "plain and open (sub)": ("(type (func))", 0, "(type (sub (func)))", 0, False),
    "plain and sub final": ("(type (func))", 0, "(type (sub final (func)))", 0, True),
    "at other indices": ("(type (struct)) (type (array i8))", 1, "(type (array i8))", 0, True),
    "a group of one and a plain type": ("(rec (type (func)))", 0, "(type (func))", 0, True),
    "in a group of two": ("(rec (type (func)) (type (struct)))", 0, "(type (func))", 0, False),
    "equal groups": ("(rec (type (func)) (type (struct)))", 1, "(rec (type (func)) (type (struct)))", 1, True),
    "other positions of a group": (
        "(rec (type (struct)) (type (struct)))",
        0,
        "(rec (type (struct)) (type (struct)))",
        1,
        False,
    ),
    "recursive": (
        "(rec (type $l (struct (field (ref null $l)))))",
        0,
        "(type $t (struct (field (ref null $t))))",
        0,
        True,
    ),
    "through an earlier type": (
        "(type $a (array i16)) (type (struct (field (ref $a))))",
        1,
        "(type $x (struct)) (type $b (array i16)) (type (struct (field (ref $b))))",
        2,
        True,
    ),
    "mutability": ("(type (struct (field (mut i32))))", 0, "(type (struct (field i32)))", 0, False),
    "packed storage": ("(type (array i8))", 0, "(type (array i16))", 0, False),
    "declared supertypes": (
        "(type $s (sub (struct))) (type (sub $s (struct)))",
        1,
        "(type (sub (struct))) (type $s (sub (struct))) (type (sub $s (struct)))",
        2,
        True,
    ),
}


@pytest.mark.parametrize(("a", "i", "b", "j", "same"), list(EQUALITY.values()), ids=list(EQUALITY))
def test_equal_recursion_groups_of_two_modules_are_one_canonical_type(
    a: str, i: int, b: str, j: int, same: bool
) -> None:
    assert (defined(a, i) is defined(b, j)) is same


# (types, subtype index, supertype index, a subtype?)
SUBTYPING = {
    "itself": ("(type (sub (struct)))", 0, 0, True),
    "declared": ("(type $s (sub (struct))) (type (sub $s (struct)))", 1, 0, True),
    "not the other way": ("(type $s (sub (struct))) (type (sub $s (struct)))", 0, 1, False),
    "transitively": ("(type $a (sub (func))) (type $b (sub $a (func))) (type (sub final $b (func)))", 2, 0, True),
    "undeclared, structurally equal": ("(type (sub (struct))) (type (sub (struct (field i32))))", 1, 0, False),
    "a longer struct": (
        "(type $s (sub (struct (field i32)))) (type (sub $s (struct (field i32) (field i64))))",
        1,
        0,
        True,
    ),
    "siblings": ("(type $s (sub (struct))) (type (sub $s (struct))) (type (sub $s (struct (field i8))))", 1, 2, False),
}


@pytest.mark.parametrize(("types", "sub", "sup", "expected"), list(SUBTYPING.values()), ids=list(SUBTYPING))
def test_declared_subtypes(types: str, sub: int, sup: int, expected: bool) -> None:
    assert defined(types, sub).is_subtype_of(defined(types, sup)) is expected


ABSTRACT = {
    "none <= i31": (HEAP_NONE, HEAP_I31, True),
    "none <= any": (HEAP_NONE, HEAP_ANY, True),
    "i31 <= eq": (HEAP_I31, HEAP_EQ, True),
    "struct <= eq": (HEAP_STRUCT, HEAP_EQ, True),
    "array <= any": (HEAP_ARRAY, HEAP_ANY, True),
    "eq not <= struct": (HEAP_EQ, HEAP_STRUCT, False),
    "struct not <= array": (HEAP_STRUCT, HEAP_ARRAY, False),
    "nofunc <= func": (HEAP_NOFUNC, HEAP_FUNC, True),
    "func not <= any": (HEAP_FUNC, HEAP_ANY, False),
    "noextern <= extern": (HEAP_NOEXTERN, HEAP_EXTERN, True),
    "extern not <= any": (HEAP_EXTERN, HEAP_ANY, False),
    "noexn <= exn": (HEAP_NOEXN, HEAP_EXN, True),
    "none not <= func": (HEAP_NONE, HEAP_FUNC, False),
}


@pytest.mark.parametrize(("sub", "sup", "expected"), list(ABSTRACT.values()), ids=list(ABSTRACT))
def test_the_abstract_heap_lattice(sub: int, sup: int, expected: bool) -> None:
    assert abstract_heap_subtype(sub, sup) is expected


# (types, index, abstract heap, is the defined type below it?, is the abstract heap below it?)
DEFINED_AND_ABSTRACT = {
    "struct type": ("(type (struct))", HEAP_STRUCT, True, False),
    "struct type and eq": ("(type (struct))", HEAP_EQ, True, False),
    "struct type and array": ("(type (struct))", HEAP_ARRAY, False, False),
    "struct type and none": ("(type (struct))", HEAP_NONE, False, True),
    "array type and any": ("(type (array i8))", HEAP_ANY, True, False),
    "function type and func": ("(type (func))", HEAP_FUNC, True, False),
    "function type and nofunc": ("(type (func))", HEAP_NOFUNC, False, True),
    "function type and none": ("(type (func))", HEAP_NONE, False, False),
}


@pytest.mark.parametrize(
    ("types", "heap", "below", "above"), list(DEFINED_AND_ABSTRACT.values()), ids=list(DEFINED_AND_ABSTRACT)
)
def test_defined_types_in_the_abstract_hierarchies(types: str, heap: int, below: bool, above: bool) -> None:
    type_ = defined(types, 0)
    assert heap_matches(type_, heap) is below
    assert heap_matches(heap, type_) is above


INVALID = {
    "final supertype": ("(type $s (struct)) (type (sub $s (struct)))", "sub type"),
    "supertype not a prefix": ("(type $s (sub (struct (field i32)))) (type (sub $s (struct (field i64))))", "sub type"),
    "mutable field made covariant": (
        "(type $s (sub (struct (field (mut anyref))))) (type (sub $s (struct (field (mut eqref)))))",
        "sub type",
    ),
    "forward reference outside the group": ("(type (struct (field (ref 1)))) (type (struct))", "unknown type"),
}


@pytest.mark.parametrize(("types", "message"), list(INVALID.values()), ids=list(INVALID))
def test_invalid_sub_type_declarations(types: str, message: str) -> None:
    from wasmrun.errors import ValidationError

    with pytest.raises(ValidationError, match=message):
        load_module(f"(module {types})".encode())
