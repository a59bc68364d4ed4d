"""The body of a function with ``try_table`` (exception handling): its handlers run inside a catch.

A thrown exception is a Python exception (:class:`~wasmrun.errors.WasmException`), so it unwinds through
handlers and callee entries by itself.  A function with catch regions runs this body under the entry of
a function with tail calls (:func:`wasmrun.interp.machine.make_tail_entry`): when an exception comes out of the handler at ``pc``, the
innermost region holding ``pc`` whose clause matches (the tag is the very tag object; ``catch_all``
matches any) puts the clause's values (the payload, then the exception itself for the ``_ref`` forms)
in the label's slots and the loop continues at the label.  Traps are never caught.  Such functions are
translated without fusion (:mod:`wasmrun.interp.translate`), so handler indexes are the regions' own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wasmrun.binary.instructions import CATCH_ALL_REF, CATCH_REF
from wasmrun.errors import Trap, WasmException
from wasmrun.interp.translate import Translation
from wasmrun.runtime.functions import Entry

if TYPE_CHECKING:
    from wasmrun.interp.machine import Binder
from wasmrun.runtime.tags import ExceptionInstance, TagInstance

Region = tuple[int, int, tuple[tuple[int, TagInstance | None, int, int], ...]]


def bind_regions(translation: Translation, tags: list[TagInstance]) -> tuple[Region, ...]:
    """The regions innermost first (a later region that holds a pc is inside an earlier one), tags resolved."""
    return tuple(
        (
            first,
            end,
            tuple((kind, None if tag is None else tags[tag], slot, target) for kind, tag, slot, target in clauses),
        )
        for first, end, clauses in reversed(translation.catch_regions)
    )


def landing(regions: tuple[Region, ...], pc: int, exception: ExceptionInstance, R: list[Any]) -> int:
    """Where the exception thrown at ``pc`` lands (its values written into ``R``), or 0 if nothing here catches it."""
    for first, end, clauses in regions:
        if not first <= pc < end:
            continue
        for kind, tag, slot, target in clauses:
            if tag is not None and tag is not exception.tag:
                continue
            values = list(exception.payload) if tag is not None else []
            if kind in (CATCH_REF, CATCH_ALL_REF):
                values.append(exception)
            R[slot : slot + len(values)] = values
            return target
    return 0


def make_catching_body(
    translation: Translation, handlers: list[Any], bind_at: Binder, tags: list[TagInstance]
) -> Entry:
    """:func:`wasmrun.interp.machine.make_tail_body` for a function with catch regions: its results, or the
    TailCall it ends with (a tail call leaves the regions: its callee's exceptions pass).  Its entry is
    :func:`wasmrun.interp.machine.make_tail_entry`'s, as for any function with tail calls."""
    template = translation.frame_template
    offsets = translation.offsets
    index = translation.function_index
    base = translation.result_base
    count = translation.result_count
    end = base + count
    size = translation.frame_size
    code = handlers
    regions = bind_regions(translation, tags)

    def body_catching(R: list[Any]) -> Any:
        R += template
        pc = 1
        try:
            while pc:
                try:
                    while pc:
                        pc = code[pc](R)
                except TypeError:
                    if code[pc] is not None:
                        raise
                    bind_at(pc)
                except WasmException as thrown:
                    target = landing(regions, pc, thrown.exception, R)
                    if not target:
                        raise
                    pc = target
        except Trap as trap:
            trap.frames.append((index, trap.__dict__.pop("at", None) or offsets[pc]))
            raise
        if len(R) > size:
            return R[-1]  # a TailCall
        if count == 1:
            return R[base]
        return R[base:end] if count else None

    return body_catching
