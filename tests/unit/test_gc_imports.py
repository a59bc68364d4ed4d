"""Imports with GC types: a function may be of a subtype of the imported type, a tag only of the type
itself (WebAssembly 3.0: tag types match when each matches the other, i.e. they are equivalent)."""

from __future__ import annotations

import pytest

from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import LinkError
from wasmrun.loader import Module
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module

TYPES = "(type $base (sub (func (param i32)))) (type $derived (sub $base (func (param i32))))"
EXPORTER = f"""(module {TYPES}
  (tag (export "base tag") (type $base))
  (tag (export "derived tag") (type $derived))
  (func (export "base func") (type $base))
  (func (export "derived func") (type $derived)))"""

# (what is imported, its kind and declared type, whether it links)
CASES = {
    "a tag of its own type": ("base tag", "tag", "$base", True),
    "a tag of a subtype": ("derived tag", "tag", "$base", False),
    "a tag of a supertype": ("base tag", "tag", "$derived", False),
    "a tag of an equal type from another module": ("derived tag", "tag", "$derived", True),
    "a function of its own type": ("base func", "func", "$base", True),
    "a function of a subtype": ("derived func", "func", "$base", True),
    "a function of a supertype": ("base func", "func", "$derived", False),
}


@pytest.mark.parametrize(("name", "kind", "declared", "links"), list(CASES.values()), ids=list(CASES))
def test_imports_match_as_the_spec_says(name: str, kind: str, declared: str, links: bool) -> None:
    linker = Linker(Store(Interpreter()))
    linker.define_instance("m", linker.instantiate(Module.from_bytes(parse_module(EXPORTER))))
    importer = Module.from_bytes(parse_module(f'(module {TYPES} (import "m" "{name}" ({kind} (type {declared}))))'))
    if links:
        linker.instantiate(importer)
    else:
        with pytest.raises(LinkError, match="incompatible import type"):
            linker.instantiate(importer)
