"""Proposals as features: which ones a module uses, and which ones an engine lets it use.

A :class:`Features` record says which proposals are on (all those wasmrun runs by default;
:data:`WASM_2_0` is WebAssembly 2.0 and nothing later); the
validator refuses a module that uses one that is off, naming it (``module uses the simd proposal,
which is disabled``). :func:`proposals_used` is the one rule for what "uses" means, read by the
validator and by ``inspect``. A proposal counts as used when the module declares or executes
something it brought (the instruction table's proposal column for instructions):

* ``mutable-global``: an imported or exported mutable global;
* ``nontrapping-float-to-int``: ``*.trunc_sat_*``;
* ``sign-extension``: ``*.extend8_s``, ``*.extend16_s``, ``i64.extend32_s``;
* ``multi-value``: a function type with more than one result, or a block
  typed by a type index;
* ``bulk-memory``: passive segments, the data count section, ``memory.init``,
  ``data.drop``, ``memory.copy``, ``memory.fill``, ``table.init``, ``elem.drop``,
  ``table.copy``;
* ``reference-types``: a reference used as a value (parameter, result, local,
  global), an ``externref`` table or segment, more than one table, a
  declarative segment, ``call_indirect`` on a table other than 0, typed
  ``select``, ``ref.*``, ``table.get/set/size/grow/fill``;
* ``simd``: ``v128`` anywhere, or any ``0xFD``-prefixed instruction;
* ``extended-const``: ``i32.add/sub/mul`` or ``i64.add/sub/mul`` in a constant
  expression, or a ``global.get`` there of a global the module defines;
* ``relaxed-simd``: the ``*.relaxed_*`` instructions;
* ``wide-arithmetic``: ``i64.add128``, ``i64.sub128``, ``i64.mul_wide_s/u``.
* ``tail-call``: ``return_call``, ``return_call_indirect``, ``return_call_ref``;
* ``function-references``: a typed reference type (``(ref null? $t)``, ``(ref func)``,
  ``(ref extern)``) anywhere, a table with an initialiser, ``call_ref``,
  ``return_call_ref``, ``ref.as_non_null``, ``br_on_null``, ``br_on_non_null``.
* ``multi-memory``: more than one memory, or an instruction or data segment
  naming a memory other than 0;
* ``memory64``: a 64-bit memory or table (``i64`` limits; table64 is part of it);
* ``custom-page-sizes``: a memory whose page size is not 64 KiB (off by default, as in
  Wasmtime; the decoder reads a page size only when it is on).
* ``threads``: a shared memory, or any ``0xFE``-prefixed (atomic) instruction.  Apart from it,
  :attr:`Features.shared_memory` (``-W shared-memory``, off by default as in Wasmtime) lets a module
  have a shared memory at all.

:attr:`Features.gc_support` (Wasmtime's ``-W gc-support``, on by default) is not a proposal either: off, a
module may use no type whose values Wasmtime keeps in its GC heap (``externref``, ``exnref``, struct and
array types, the GC heap types: :func:`requires_gc_support`); only function references remain.

With both ``multi-memory`` and ``memory64`` off, the module is also decoded as
WebAssembly 2.0 did (``Features.disabled`` given to the decoder): u32 limits and offsets,
alignments below 32, a zero byte for a memory index.

Finding instructions means decoding every function body once more, so the
validator does it only when some proposal is off.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from wasmrun.binary.instructions import decode_function_body
from wasmrun.binary.reader import Reader
from wasmrun.errors import ValidationError
from wasmrun.instructions import BY_MNEMONIC, CONTROL, OPCODES, PREFIXES, InstructionInfo, opcode_of, opcodes_of
from wasmrun.instructions import PROPOSALS as TABLE_PROPOSALS
from wasmrun.module import Module, SegmentMode
from wasmrun.types import (
    HEAP_BY_TEXT,
    HEAP_EXN,
    HEAP_EXTERN,
    HEAP_FUNC,
    HEAP_NOFUNC,
    ExternKind,
    FuncType,
    GlobalType,
    RefType,
    ValType,
    ValueType,
)

MUTABLE_GLOBAL = "mutable-global"
MULTI_VALUE = "multi-value"
BULK_MEMORY = "bulk-memory"
REFERENCE_TYPES = "reference-types"
SIMD = "simd"
EXCEPTION_HANDLING = "exception-handling"
EXTENDED_CONST = "extended-const"
TAIL_CALL = "tail-call"
FUNCTION_REFERENCES = "function-references"
GC = "gc"
_GC_HEAPS = frozenset(HEAP_BY_TEXT.values()) - {HEAP_FUNC, HEAP_EXTERN, HEAP_EXN}
"""The abstract heap types GC brought (a reference to one is a GC construct)."""
MULTI_MEMORY = "multi-memory"
MEMORY64 = "memory64"
CUSTOM_PAGE_SIZES = "custom-page-sizes"
THREADS = "threads"

PROPOSALS = tuple(proposal for proposal in TABLE_PROPOSALS if proposal != "mvp")
"""Every proposal detected, in the order they were standardised (and listed)."""

# The instructions a proposal brought (the table's proposal column), and the ones some of whose
# immediates did (a block typed by a type index; call_indirect through a table other than 0).
_OPCODE_PROPOSALS: dict[int, str] = {
    opcode: info.proposal for opcode, info in OPCODES.items() if info.proposal != "mvp"
}
_BLOCK_STARTS = frozenset(opcode for opcode, kind in CONTROL.items() if kind in ("block", "loop", "if"))
_CALL_INDIRECTS = opcodes_of("call_indirect")
_RETURN_CALL_REF = opcode_of("return_call_ref")
# The instructions that name memories, and where in their immediate: the memory indices.
_MEMORY_INDICES: dict[int, slice] = {}
for _opcode, _info in OPCODES.items():
    if _info.immediate in ("memarg", "memarg_lane"):
        _MEMORY_INDICES[_opcode] = slice(-1, None)
    elif _info.immediate == "memory":
        _MEMORY_INDICES[_opcode] = slice(None)
    elif _info.immediate == "memory.copy":
        _MEMORY_INDICES[_opcode] = slice(0, 2)
    elif _info.immediate == "memory.init":
        _MEMORY_INDICES[_opcode] = slice(1, 2)


def _memory_index_encoded(raw: bytes, offset: int, opcode: int) -> bool:
    """Whether the instruction at ``offset`` encodes memory 0 as only multiple memories can: a memarg with
    the memory-index flag (0x40), or an index in more than one byte where WebAssembly 2.0 has one zero byte
    (Wasmtime without multiple memories: ``zero byte expected``)."""
    reader = Reader(raw, offset)
    if reader.byte() in PREFIXES:
        reader.u32()
    kind = OPCODES[opcode].immediate
    if kind in ("memarg", "memarg_lane"):
        return reader.u32() >= 0x40
    if kind == "memory.init":
        reader.u32()  # the data segment
    for _ in range(2 if kind == "memory.copy" else 1):
        start = reader.pos
        reader.u32()
        if reader.pos - start > 1:
            return True
    return False


def _value_type_proposals(valtypes: Iterable[ValueType]) -> set[str]:
    found: set[str] = set()
    for valtype in valtypes:
        if valtype is ValType.V128:
            found.add(SIMD)
        elif valtype is ValType.EXNREF:
            found.add(EXCEPTION_HANDLING)
        elif valtype.__class__ is RefType:
            found.add(GC if valtype.heap in _GC_HEAPS else FUNCTION_REFERENCES)
        elif valtype.is_reference:
            found.add(REFERENCE_TYPES)
    return found


def proposals_used(module: Module) -> tuple[str, ...]:
    """The proposals ``module`` uses, in :data:`PROPOSALS` order."""
    found = _declared_proposals(module)
    for body in module.codes:
        found |= _value_type_proposals(valtype for _, valtype in body.locals)
        for opcode, immediate, offset in decode_function_body(module.raw, body):
            memories = _MEMORY_INDICES.get(opcode)
            if memories is not None and (
                any((immediate,) if isinstance(immediate, int) else immediate[memories])
                or _memory_index_encoded(module.raw, offset, opcode)
            ):
                found.add(MULTI_MEMORY)
            proposal = _OPCODE_PROPOSALS.get(opcode)
            if proposal is not None:
                found.add(proposal)
                if opcode == _RETURN_CALL_REF:
                    found.add(TAIL_CALL)
                elif immediate.__class__ is RefType:  # ref.null $t
                    found.add(FUNCTION_REFERENCES)
            elif opcode in _BLOCK_STARTS:
                if immediate >= 0:
                    found.add(MULTI_VALUE)
            elif opcode in _CALL_INDIRECTS:
                if immediate[1] != 0:
                    found.add(REFERENCE_TYPES)
    return tuple(proposal for proposal in PROPOSALS if proposal in found)


def _declared_proposals(module: Module) -> set[str]:
    """What the sections other than code show."""
    found: set[str] = set()
    if module.subtypes or module.rec_sizes:
        found.add(GC)
    for functype in module.types:
        if functype.__class__ is not FuncType:
            continue  # a struct or array type: GC, above
        found |= _value_type_proposals((*functype.params, *functype.results))
        if len(functype.results) > 1:
            found.add(MULTI_VALUE)
    found |= _value_type_proposals(global_type.valtype for global_type in module.global_types)
    found |= _value_type_proposals(
        table.element for table in module.table_types if table.element is not ValType.FUNCREF
    )
    if len(module.table_types) > 1:
        found.add(REFERENCE_TYPES)
    if module.tag_type_indices:
        found.add(EXCEPTION_HANDLING)
    if module.table_inits:
        found.add(FUNCTION_REFERENCES)
    if len(module.memory_types) > 1 or any(segment.memory_index for segment in module.datas):
        found.add(MULTI_MEMORY)
    if any(memory.limits.address64 for memory in module.memory_types) or any(
        table.limits.address64 for table in module.table_types
    ):
        found.add(MEMORY64)
    if any(memory.page_size_log2 != 16 for memory in module.memory_types):
        found.add(CUSTOM_PAGE_SIZES)
    if any(memory.shared for memory in module.memory_types):
        found.add(THREADS)
    imported_mutable = any(
        entry.kind is ExternKind.GLOBAL and isinstance(entry.desc, GlobalType) and entry.desc.mutable
        for entry in module.imports
    )
    exported_mutable = any(
        export.kind is ExternKind.GLOBAL and module.global_types[export.index].mutable for export in module.exports
    )
    if imported_mutable or exported_mutable:
        found.add(MUTABLE_GLOBAL)
    if _uses_extended_constants(module):
        found.add(EXTENDED_CONST)
    if module.data_count is not None or any(segment.mode is SegmentMode.PASSIVE for segment in module.datas):
        found.add(BULK_MEMORY)
    for segment in module.elements:
        if segment.mode is SegmentMode.PASSIVE:
            found.add(BULK_MEMORY)
        elif segment.mode is SegmentMode.DECLARATIVE:
            found.add(REFERENCE_TYPES)
        if segment.element_type is not ValType.FUNCREF:
            found |= _value_type_proposals((segment.element_type,))
    return found


_EXTENDED_CONSTANT_OPS = frozenset(
    opcode
    for opcode, info in OPCODES.items()
    if info.mnemonic in ("i32.add", "i32.sub", "i32.mul", "i64.add", "i64.sub", "i64.mul")
)
_GLOBAL_GET = BY_MNEMONIC["global.get"].opcode


def _uses_extended_constants(module: Module) -> bool:
    exprs = [g.init for g in module.globals]
    for segment in module.elements:
        exprs.extend(segment.init)
        if segment.offset is not None:
            exprs.append(segment.offset)
    exprs.extend(segment.offset for segment in module.datas if segment.offset is not None)
    imported = module.num_imported_globals
    return any(
        opcode in _EXTENDED_CONSTANT_OPS or (opcode == _GLOBAL_GET and immediate >= imported)
        for expr in exprs
        for opcode, immediate, _ in expr.instructions
    )


class Features(NamedTuple):
    """Which proposals a module may use (all of WebAssembly 2.0, tail calls and typed function references by default).

    One field per proposal, named as the proposal with underscores; Wasmtime's ``-W`` keys name
    the same switches (``-W simd=n``).  A named tuple, not a dataclass: cheap to define at start-up.
    """

    mutable_global: bool = True
    nontrapping_float_to_int: bool = True
    sign_extension: bool = True
    multi_value: bool = True
    bulk_memory: bool = True
    reference_types: bool = True
    simd: bool = True
    exceptions: bool = True
    extended_const: bool = True
    relaxed_simd: bool = True
    wide_arithmetic: bool = True
    tail_call: bool = True
    function_references: bool = True
    multi_memory: bool = True
    memory64: bool = True
    custom_page_sizes: bool = False
    threads: bool = True
    gc: bool = True
    shared_memory: bool = False  # not a proposal: whether a shared memory may be created (Wasmtime's switch)
    gc_support: bool = True  # not a proposal: whether types that need a GC heap may be used (Wasmtime's switch)

    def enabled(self, proposal: str) -> bool:
        """Whether ``proposal`` (a name of :data:`PROPOSALS`, or ``mvp``) is on."""
        return proposal == "mvp" or bool(getattr(self, _FIELDS.get(proposal, proposal.replace("-", "_"))))

    @property
    def disabled(self) -> frozenset[str]:
        """The proposals turned off (the decoder reads their constructs as malformed)."""
        return frozenset(proposal for proposal in PROPOSALS if not self.enabled(proposal))

    @property
    def everything(self) -> bool:
        return all(self.enabled(proposal) for proposal in PROPOSALS)

    @property
    def all_in_bodies(self) -> bool:
        """Whether every proposal a function body can use is on (so only declarations need checking)."""
        return all(self.enabled(proposal) for proposal in PROPOSALS if proposal not in _DECLARED_ONLY)

    def without(self, *proposals: str) -> Features:
        """These features with ``proposals`` turned off."""
        return self._replace(**{_FIELDS.get(p, p.replace("-", "_")): False for p in proposals})


# Proposals whose switch Wasmtime names otherwise (``-W exceptions=n``).
_FIELDS = {EXCEPTION_HANDLING: "exceptions"}

ALL_FEATURES = Features()
EVERY_PROPOSAL = Features(custom_page_sizes=True, shared_memory=True)
"""Every proposal on, those off by default included."""

WASM_2_0 = Features().without(*PROPOSALS[PROPOSALS.index("simd") + 1 :])
"""WebAssembly 2.0: what its spec scripts run with (a later proposal's constructs are malformed there)."""


def check_features(module: Module, features: Features) -> None:
    """Raise :class:`ValidationError` if ``module`` uses a proposal ``features`` turns off."""
    if not features.shared_memory and any(memory.shared for memory in module.memory_types):
        raise ValidationError("module uses a shared memory, which is disabled (-W shared-memory=y enables it)")
    if not features.gc_support and requires_gc_support(module):
        raise ValidationError(
            "module uses a type that needs GC support (externref, exnref or a GC type), "
            "which is disabled (-W gc-support=y enables it)"
        )
    if features.everything:
        return
    if features.all_in_bodies:  # (the default: only custom page sizes are off, which memory types show)
        used: set[str]
        if features.mutable_global:
            used = set()
            if not features.custom_page_sizes and any(m.page_size_log2 != 16 for m in module.memory_types):
                used.add(CUSTOM_PAGE_SIZES)
            if not features.memory64 and (
                any(m.limits.address64 for m in module.memory_types)
                or any(t.limits.address64 for t in module.table_types)
            ):
                used.add(MEMORY64)
        else:
            used = _declared_proposals(module)
        for proposal in PROPOSALS:
            if proposal in used and not features.enabled(proposal):
                raise ValidationError(f"module uses the {proposal} proposal, which is disabled")
        return
    if not features.memory64 and MEMORY64 in _declared_proposals(module):
        raise ValidationError(f"module uses the {MEMORY64} proposal, which is disabled")
    found = proposals_used(module)
    if MULTI_MEMORY in found and not features.multi_memory and len(module.memory_types) > 1:
        raise ValidationError("multiple memories: module uses the multi-memory proposal, which is disabled")
    if REFERENCE_TYPES in found and not features.reference_types and len(module.table_types) > 1:
        raise ValidationError("multiple tables: module uses the reference-types proposal, which is disabled")
    for proposal in found:
        if not features.enabled(proposal):
            raise ValidationError(f"module uses the {proposal} proposal, which is disabled")


def _needs_gc_heap(valtype: object, module: Module) -> bool:
    """Whether values of ``valtype`` (a value type, or anything else) live in Wasmtime's GC heap."""
    if valtype is ValType.EXTERNREF or valtype is ValType.EXNREF:
        return True
    if valtype.__class__ is not RefType:
        return False
    heap = valtype.heap
    if heap.__class__ is int and heap >= 0:  # a type index: a struct or array type needs it, a function not
        return heap < len(module.types) and module.types[heap].__class__ is not FuncType
    return heap not in (HEAP_FUNC, HEAP_NOFUNC)


def requires_gc_support(module: Module) -> bool:
    """Whether ``module`` uses a type whose values Wasmtime keeps in a GC heap (see the module docstring)."""
    if any(defined.__class__ is not FuncType for defined in module.types):
        return True
    declared: list[object] = [valtype for t in module.types for valtype in (*t.params, *t.results)]
    declared += [global_type.valtype for global_type in module.global_types]
    declared += [table.element for table in module.table_types]
    declared += [segment.element_type for segment in module.elements]
    declared += [valtype for body in module.codes for _, valtype in body.locals]
    if any(_needs_gc_heap(valtype, module) for valtype in declared):
        return True
    for body in module.codes:
        for _opcode, immediate, _offset in decode_function_body(module.raw, body):
            immediates = immediate if immediate.__class__ is tuple else (immediate,)
            if any(_needs_gc_heap(item, module) for item in immediates):
                return True
    return False


_DECLARED_ONLY = frozenset((MUTABLE_GLOBAL, MEMORY64, CUSTOM_PAGE_SIZES))
"""The proposals only declarations can use (no instruction of theirs, no body-level rule)."""


def covers(info: InstructionInfo) -> bool:
    """Whether a feature switches the proposal of ``info`` (the completeness test asks)."""
    return info.proposal == "mvp" or hasattr(ALL_FEATURES, _FIELDS.get(info.proposal, info.proposal.replace("-", "_")))
