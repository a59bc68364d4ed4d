"""The names of wasmtime-py's ``__all__`` that :mod:`wasmrun.api` does not provide, each with why: the one
place they are listed (a test checks every other name of wasmtime-py's ``__all__`` is implemented)."""

from __future__ import annotations

REFUSED: dict[str, str] = {
    "StoreContext": ("a view of the C API's store context pointer; wasmrun's store-likes are Store and Caller"),
}
