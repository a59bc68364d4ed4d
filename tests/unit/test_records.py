"""Frozen records (wasmrun.records): what a frozen dataclass would do, checked on the decoded structures."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from wasmrun.module import Module, NameMap
from wasmrun.types import FuncType, Limits, ValType

SIGNATURE = FuncType((ValType.I32,), (ValType.I64,))


def test_fields_are_read_only() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SIGNATURE.params = ()  # type: ignore[misc]


def test_fields_cannot_be_deleted() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        del SIGNATURE.params


def test_no_attribute_beyond_the_fields() -> None:
    with pytest.raises(AttributeError):
        object.__setattr__(SIGNATURE, "extra", 1)


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (Limits(1), Limits(1, None), True),
        (Limits(1, 2), Limits(1, 3), False),
        (FuncType((), ()), FuncType((), ()), True),
        (FuncType((), ()), (), False),
    ],
)
def test_equality_is_by_type_and_fields(left: object, right: object, equal: bool) -> None:
    assert (left == right) is equal


def test_equal_records_hash_alike() -> None:
    assert hash(Limits(1, 2)) == hash(Limits(min=1, max=2))


def test_repr_names_the_fields_and_leaves_the_hidden_out() -> None:
    assert repr(Limits(1)) == "Limits(min=1, max=None, address64=False)"
    assert "func_type_indices" not in repr(Module(b""))


def test_defaults_are_fresh_objects() -> None:
    assert NameMap().functions is not NameMap().functions


def test_replace_changes_only_the_given_fields() -> None:
    assert Limits(1, 2).replace(max=5) == Limits(1, 5)


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy, lambda value: pickle.loads(pickle.dumps(value))])
def test_copies_are_equal(clone: Callable[[Any], Any]) -> None:
    assert clone(SIGNATURE) == SIGNATURE
