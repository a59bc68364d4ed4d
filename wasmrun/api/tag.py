""":class:`Tag`: an exception tag (exception handling), equal only to itself."""

from __future__ import annotations

from wasmrun.api.externs import Extern
from wasmrun.api.store import Storelike, store_of
from wasmrun.api.types import FuncType, TagType
from wasmrun.runtime.tags import TagInstance


class Tag(Extern):
    """An exception tag: ``Tag(store, TagType(FuncType(params, [])))`` makes a new one."""

    runtime_class = TagInstance
    _runtime: TagInstance

    def __init__(self, store: Storelike, ty: TagType) -> None:
        if not isinstance(ty, TagType):
            raise TypeError("expected a TagType")
        self._runtime = TagInstance(store_of(store)._runtime.intern_type(ty.functype._record))

    def type(self, store: Storelike) -> TagType:
        """The tag's type."""
        return TagType(FuncType._of(self._runtime.type))

    def eq(self, store: Storelike, other: Tag) -> bool:
        """Whether ``other`` is the same tag (two tags of one type are different tags)."""
        return isinstance(other, Tag) and self._runtime is other._runtime
