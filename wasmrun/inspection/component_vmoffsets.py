"""Wasmtime's ``VMComponentContext`` layout for a component, declared once, as data.

A component instance in Wasmtime has one ``VMComponentContext`` (beside the
``VMContext`` of each core instance inside it): a fixed header, the flags of
each component instance it inlines, then arrays whose lengths come from the
component's compiled "component info" (:mod:`wasmrun.inspection.component_counts`
counts them).  ``wasmrun inspect --vmctx`` on a component shows where each part
sits, so that offsets read off Wasmtime's trampolines can be named.

The source: Wasmtime's ``crates/environ/src/vmctxtypes.rs`` (the
``VMComponentContext`` entry of ``for_each_vmctx_type!``) and
``crates/environ/src/component/vmcomponent_offsets.rs`` at commit
``e6b33de513`` (``main`` at ``49.0.0-dev``, after ``65b7954405`` "Bump Wasmtime
to 49.0.0"; the layout last changed in ``897fb1ad91``).  Region names are
Wasmtime's field names, element sizes its types':

* ``magic`` is a ``u32`` (``b"comp"`` read little-endian: :data:`VMCOMPONENT_MAGIC`),
  then the offset is aligned to the pointer size for ``builtins`` and
  ``store_context`` (two pointers);
* the offset is aligned to 16 for the flags, each a whole
  ``VMGlobalDefinition`` (16 bytes, of which 4 are used): ``task_may_block``,
  then ``may_leave``, one per runtime component instance (before
  ``897fb1ad91`` the two were the other way round);
* aligned to the pointer size again: ``trampoline_func_refs`` and
  ``intrinsic_func_refs`` (``VMFuncRef``\\ s), ``lowerings`` (``VMLowering``:
  callee and data pointers), ``memories`` (pointers to
  ``VMMemoryDefinition``), ``tables`` (``VMTableImport``\\ s), then pointers to
  ``VMFuncRef`` for ``reallocs``, ``callbacks``, ``post_returns`` and
  ``resource_destructors``.  The size is where the last region ends.

What compiled code shows: the trampolines that ``wasmtime-py`` 50.0.1 compiles
(``Component.serialize()``, x86-64) read ``may_leave[i]`` at ``0x20 + 16 i``
and the lowerings right after ``num_runtime_component_instances`` flags and the
trampolines' ``VMFuncRef``\\ s: that build has no ``task_may_block`` slot
before the trampolines, unlike the 49 source above.  The numbers here follow
the source; ``tests/unit/test_inspection_component.py`` keeps both.
"""

from __future__ import annotations

from dataclasses import dataclass

from wasmrun.inspection.vmoffsets import (
    POINTER,
    POINTER_SIZES,
    U32,
    VM_FUNC_REF,
    VM_GLOBAL_DEFINITION,
    VM_TABLE_IMPORT,
    Align,
    Region,
    VMContextLayout,
    place,
    vm_struct,
)

VMCOMPONENT_MAGIC = int.from_bytes(b"comp", "little")
"""The ``u32`` at offset 0 of every ``VMComponentContext``."""

VM_LOWERING = vm_struct("VMLowering", (("callee", POINTER), ("data", POINTER)))


def _pointer(ptr_size: int) -> int:
    return ptr_size


def _sixteen(ptr_size: int) -> int:
    return 16


@dataclass(frozen=True, slots=True)
class ComponentShape:
    """What a component asks of its ``VMComponentContext``: the counts of ``VMComponentOffsets::new``."""

    num_runtime_component_instances: int = 1
    num_trampolines: int = 0
    num_unsafe_intrinsics: int = 0
    num_lowerings: int = 0
    num_runtime_memories: int = 0
    num_runtime_tables: int = 0
    num_runtime_reallocs: int = 0
    num_runtime_callbacks: int = 0
    num_runtime_post_returns: int = 0
    num_resources: int = 0


VMCOMPONENTCONTEXT_LAYOUT: tuple[Region | Align, ...] = (
    # static: offsets that depend on the pointer size alone
    Region("magic", U32),
    Align(_pointer),
    Region("builtins", POINTER),
    Region("store_context", POINTER),
    # dynamic: the flags first (their offsets still depend on the pointer size alone)
    Align(_sixteen),
    Region("task_may_block", VM_GLOBAL_DEFINITION),
    Region("may_leave", VM_GLOBAL_DEFINITION, "num_runtime_component_instances"),
    Align(_pointer),
    Region("trampoline_func_refs", VM_FUNC_REF, "num_trampolines"),
    Region("intrinsic_func_refs", VM_FUNC_REF, "num_unsafe_intrinsics"),
    Region("lowerings", VM_LOWERING, "num_lowerings"),
    Region("memories", POINTER, "num_runtime_memories"),
    Region("tables", VM_TABLE_IMPORT, "num_runtime_tables"),
    Region("reallocs", POINTER, "num_runtime_reallocs"),
    Region("callbacks", POINTER, "num_runtime_callbacks"),
    Region("post_returns", POINTER, "num_runtime_post_returns"),
    Region("resource_destructors", POINTER, "num_resources"),
)
"""Wasmtime 49's ``VMComponentContext``, in order: regions and alignment steps (see the module docstring)."""


def vmcomponentcontext_layout(shape: ComponentShape, ptr_size: int = 8) -> VMContextLayout:
    """The layout of a ``VMComponentContext`` of ``shape`` for a host with ``ptr_size``-byte pointers."""
    if ptr_size not in POINTER_SIZES:
        raise ValueError(f"pointer size {ptr_size}: Wasmtime targets have 4- or 8-byte pointers")
    return VMContextLayout(ptr_size, *place(VMCOMPONENTCONTEXT_LAYOUT, shape, ptr_size))
