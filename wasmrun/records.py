"""Frozen records: the decoded structures' classes, cheap to define at start-up.

A ``@dataclass(frozen=True, slots=True)`` generates and compiles its methods
when the class is created (about 0.5 ms a class), and ``wasmrun examples/hello.wasm``
creates a few dozen of them before running anything.  A :class:`Record`
subclass instead gets its slots from its annotations (the metaclass), writes
its own ``__init__`` (the one method that is hot: the decoder makes thousands
of records) and shares generic ``__eq__``, ``__hash__``, ``__repr__`` and the
read-only ``__setattr__``/``__delattr__`` (``dataclasses.FrozenInstanceError``,
as for a frozen dataclass).  The fields are the annotated names, in order;
there are no class-level defaults (``__init__`` has them).

Type checkers see each record as the frozen dataclass it behaves like:
:func:`frozen_record` is ``dataclasses.dataclass`` to them, so an assignment
to a field is a type error too.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

R = TypeVar("R", bound=type)
_Self = TypeVar("_Self", bound="Record")

set_field = object.__setattr__  # how an ``__init__`` sets a field (as a frozen dataclass does)


class _RecordMeta(type):
    """Gives each record class ``__slots__`` and ``_fields`` from its own annotations (``_``-names are not fields)."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> _RecordMeta:
        fields = tuple(name for name in namespace.get("__annotations__", ()) if not name.startswith("_"))
        namespace["__slots__"] = fields
        if fields or not any(isinstance(base, _RecordMeta) for base in bases):
            namespace["_fields"] = fields
        # else: a subclass that only adds methods keeps its base's fields (and adds no slots)
        return super().__new__(mcs, name, bases, namespace)


class Record(metaclass=_RecordMeta):
    """A frozen record (see the module docstring); ``_hidden``: fields its ``repr`` leaves out."""

    _fields: ClassVar[tuple[str, ...]]
    _hidden: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields if name not in self._hidden)
        return f"{self.__class__.__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def replace(self: _Self, **changes: Any) -> _Self:
        """A copy with ``changes`` (field name -> value), as ``dataclasses.replace`` makes for a dataclass."""
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return self.__class__(**values)

    # Copying and pickling go through these, since __setattr__ refuses.
    def __getstate__(self) -> tuple[Any, ...]:
        return self._values()

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self._fields, state):
            set_field(self, name, value)


if TYPE_CHECKING:
    from dataclasses import dataclass as frozen_record  # checked as the frozen dataclass it behaves like
else:

    def frozen_record(**_: Any) -> Any:
        """``@frozen_record(frozen=True)``: nothing at run time (the Record base did the work)."""
        return _unchanged


def _unchanged(cls: R) -> R:
    return cls
