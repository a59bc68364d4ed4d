"""The base of the API's externs (Func, Memory, Table, Global, Tag) and the one place wasmrun's extern
instances become them and back.

Each extern class names the runtime class it wraps (``runtime_class``) and registers itself when
defined, so this module imports none of them (they all import it).
"""

from __future__ import annotations

from typing import Any, ClassVar


class Extern:
    """What can be imported and exported: a wrapper of one of wasmrun's extern instances (``_runtime``)."""

    runtime_class: ClassVar[type]
    _runtime: Any
    _classes: ClassVar[dict[type, type[Extern]]] = {}

    def __init_subclass__(cls, register: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if register:  # (a class that is one of several wrappers of its runtime class is chosen by another)
            Extern._classes[cls.runtime_class] = cls

    @classmethod
    def _wrap(cls, runtime: Any) -> Any:
        wrapped = cls.__new__(cls)
        wrapped._runtime = runtime
        return wrapped

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Extern) and self._runtime is other._runtime

    def __hash__(self) -> int:
        return id(self._runtime)


AsExtern = Any
"""A Func, Memory, Table, Global or Tag."""


def wrap_extern(extern: Any) -> AsExtern:
    """The API object for one of wasmrun's extern instances."""
    for runtime_class in type(extern).__mro__:
        wrapper = Extern._classes.get(runtime_class)
        if wrapper is not None:
            return wrapper._wrap(extern)
    raise TypeError(f"not an extern: {extern!r}")


def unwrap_extern(item: AsExtern) -> Any:
    """wasmrun's extern instance behind an API object; TypeError for anything else."""
    if not isinstance(item, Extern):
        raise TypeError(f"expected a Func, Memory, Table, Global or Tag, not {type(item).__name__}")
    return item._runtime
