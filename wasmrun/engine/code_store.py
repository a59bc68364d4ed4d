"""What the engine made for one module, kept for later runs: the code store.

The :class:`~wasmrun.engine.interpreter.Interpreter` looks in its ``code_store``, when it has one,
before it translates a function for the interpreter, compiles one for the compiled tier or compiles a
loop entry (on-stack replacement), and adds what it makes; it gives the store's handler factories to
the interpreter's tier (:func:`wasmrun.interp.handlers.provide_factory_codes`) when it starts.  The
persistent code cache (:mod:`wasmrun.cache`) fills a store from an entry on disk and writes back
:meth:`CodeStore.items` when the store has :attr:`~CodeStore.changed`; the store knows nothing of files.

The items, by key:

* ``("t", index)``: the interpreter's :class:`~wasmrun.interp.translate.Translation` of a function;
* ``("f", index)``: the compiled tier's outcome for a function: its
  :class:`~wasmrun.codegen.compiled.CompiledCode`, or :data:`INTERPRETED` (the tier leaves it to the
  interpreter: SIMD, a body too large) or :data:`UNCOMPILABLE` (CPython could not compile it);
* ``("l", index, loop offset)``: a loop entry's CompiledCode, or :data:`UNCOMPILABLE`;
* ``("h", handler key)``: the code object of an interpreter handler factory.

Each item is kept as bytes (:mod:`marshal`: plain data and code objects), read (the cache reads an
entry's items lazily) and decoded each time the engine asks for it (which it does once, but for the
compiled tier's outcome, asked twice in a row: the last one decoded is kept), so an entry of thousands
of functions costs a run only the functions it runs, and what the engine no longer uses is not kept
alive by the store.  An item is encoded when it is added, so that what is kept is what was made; one
that cannot be encoded (a compiled function whose constants hold a reference) is not kept.  What is
added goes to the store's ``added`` mapping: a dict, or the code cache's file
(:class:`~wasmrun.cache.spill.SpilledBlobs`), so that a run does not hold all it made in memory.
What a store holds is valid for one module (by its bytes), one build of wasmrun, one Python
(marshal's format and code objects are CPython's own, version by version) and one
:meth:`~wasmrun.engine.options.EngineOptions.code_key`: the code cache keys its entries by all of them.
"""

from __future__ import annotations

import marshal
from array import array
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from types import CodeType
from typing import TYPE_CHECKING, Any

from wasmrun.codegen.compiled import CompiledCode
from wasmrun.engine.blobs import Description, KnownBlobs, describe
from wasmrun.interp import handlers
from wasmrun.interp.translate import Translation, offsets_array

if TYPE_CHECKING:
    from wasmrun.module import Module

INTERPRETED = "interpreted"
"""The compiled tier leaves the function to the interpreter (a SIMD instruction, a body too large)."""
UNCOMPILABLE = "uncompilable"
"""CPython could not compile the generated code (a limit the generator did not foresee)."""

Item = tuple[Any, ...]
Outcome = CompiledCode | str
"""What the compiled tier made of a function or a loop entry: its code, or why there is none."""

_TRANSLATION_FIELDS = Translation.__slots__


class CodeStore:
    """Translations and compiled code of ``module``, by function (see the module docstring).

    ``items``: what an earlier run made for the same module and options (:meth:`items` gave them); a
    mapping that may read each value when it is looked up, and may fail to (a ValueError or an OSError:
    the item is then treated as missing).  ``added``: where what is added is kept (empty; a dict if
    not given), which may fail to read back in the same ways.
    """

    def __init__(
        self,
        module: Module,
        items: Mapping[Item, bytes] | None = None,
        added: MutableMapping[Item, bytes] | None = None,
    ) -> None:
        self.module = module
        self._stored: Mapping[Item, bytes] = items if items is not None else {}
        self._added: MutableMapping[Item, bytes] = added if added is not None else {}
        self._last: tuple[Item, Any] | None = None  # the item last decoded, and its value

    def __len__(self) -> int:
        return len(StoreItems(self._stored, self._added))

    # --- the interpreter's translations

    def translation(self, index: int) -> Translation | None:
        state = self._get(("t", index))
        if state is None:
            return None
        translation = Translation.__new__(Translation)
        for name, value in zip(_TRANSLATION_FIELDS, state):
            setattr(translation, name, array(*value) if name == "offsets" else value)
        return translation

    def add_translation(self, index: int, translation: Translation) -> None:
        # (marshal writes no arrays: the offsets go as their bytes)
        self._put(
            ("t", index),
            tuple(
                _offsets_state(translation.offsets) if name == "offsets" else getattr(translation, name)
                for name in _TRANSLATION_FIELDS
            ),
        )

    # --- the compiled tier's code

    def function_code(self, index: int) -> Outcome | None:
        """The compiled tier's outcome for function ``index`` (None: not known)."""
        return self._outcome(("f", index))

    def add_function_code(self, index: int, outcome: Outcome) -> None:
        self._put(("f", index), _outcome_state(outcome))

    def loop_code(self, index: int, loop_offset: int) -> Outcome | None:
        """The outcome for the entry of function ``index`` at the loop at ``loop_offset`` (None: not known)."""
        return self._outcome(("l", index, loop_offset))

    def add_loop_code(self, index: int, loop_offset: int, outcome: Outcome) -> None:
        self._put(("l", index, loop_offset), _outcome_state(outcome))

    # --- the interpreter's handler factories

    def factory_codes(self) -> dict[Any, CodeType]:
        """The handler factories' code objects the store holds, by handler key."""
        found = {}
        for item in [*self._stored, *self._added]:
            if item[0] == "h":
                code = self._get(item)
                if isinstance(code, CodeType):
                    found[item[1]] = code
        return found

    # --- what a cache writes

    @property
    def changed(self) -> bool:
        """Whether anything was added since the store was made (the handler factories compiled meanwhile too)."""
        self._collect_factories()
        return bool(self._added)

    def items(self) -> StoreItems:
        """Every item, encoded: what the store was made with and what was added, each read when it is
        looked up (a ValueError or an OSError if it cannot be)."""
        self._collect_factories()
        return StoreItems(self._stored, self._added)

    def _collect_factories(self) -> None:
        for key, code in handlers.factory_codes().items():
            item = ("h", key)
            if item not in self._stored and item not in self._added:
                self._put(item, code)

    # --- encoding

    def _blob(self, item: Item) -> bytes | None:
        try:
            if item in self._added:
                return self._added[item]
            return self._stored.get(item)
        except (ValueError, OSError):  # (an entry damaged since it was opened, a spill file that failed)
            return None

    def _get(self, item: Item) -> Any:
        last = self._last
        if last is not None and last[0] == item:
            return last[1]
        blob = self._blob(item)
        if blob is None:
            return None
        try:
            value = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            value = None  # (the cache checked the entry's digest: only a wasmrun bug gets here)
        self._last = item, value
        return value

    def _put(self, item: Item, value: Any) -> None:
        try:
            blob = marshal.dumps(value)
        except ValueError:
            return  # something marshal cannot write (an object of the instance): not kept
        self._added[item] = blob
        self._last = None

    def _outcome(self, item: Item) -> Outcome | None:
        state = self._get(item)
        if state is None:
            return None
        if isinstance(state, str):
            return state
        return CompiledCode(*state)


class StoreItems(KnownBlobs):
    """A store's items as :meth:`CodeStore.items` gives them: what was added, and what it was made with
    but was not added again, each read when looked up and described without being read where the
    mappings can (so that the cache writes them as a stream)."""

    def __init__(self, stored: Mapping[Item, bytes], added: Mapping[Item, bytes]) -> None:
        self._stored = stored
        self._added = added

    def _holder(self, item: Any) -> Mapping[Item, bytes]:
        return self._added if item in self._added else self._stored

    def __getitem__(self, item: Any) -> bytes:
        return self._holder(item)[item]

    def __contains__(self, item: object) -> bool:
        return item in self._added or item in self._stored

    def __iter__(self) -> Iterator[Item]:
        yield from self._stored
        yield from (item for item in self._added if item not in self._stored)

    def __len__(self) -> int:
        return len(self._stored) + sum(1 for item in self._added if item not in self._stored)

    def describe(self, item: Any) -> Description:
        return describe(self._holder(item), item)


def _offsets_state(offsets: Sequence[int]) -> tuple[str, bytes]:
    """The offsets as marshal writes them (no arrays): the array's type code and bytes."""
    packed = offsets if isinstance(offsets, array) else offsets_array(offsets)
    return packed.typecode, packed.tobytes()


def _outcome_state(outcome: Outcome) -> Any:
    return outcome if isinstance(outcome, str) else tuple(outcome)
