"""The Component Model at run time: the canonical ABI, resources and their handle tables, component instances.

The synchronous canonical ABI (CanonicalABI.md): :mod:`.layout` (sizes, alignments, flattenings),
:mod:`.lifting` and :mod:`.lowering` (values to and from memory and core values), :mod:`.strings`
(the three string encodings), :mod:`.resources` (handles, ``own``/``borrow``, the resource
built-ins), :mod:`.instance_state` (an instance's handle table and its may-enter/may-leave flags),
:mod:`.context` (canonical options and a call's context) and :mod:`.canonical` (``canon lift`` and
``canon lower``).

Component instances: :mod:`.instantiate` (:func:`instantiate_component`, the walk over a component's
definitions), :mod:`.imports` (the imports object and Wasmtime's link errors), :mod:`.core_items`
(core instances, canonical options, the resource built-ins as core functions), :mod:`.items` (what
each index space holds: :class:`ComponentInstance`, :class:`ComponentFunction`) and :mod:`.lookup`
(an exported function by the ``--invoke`` rules).  Running one with WASI is the tools layer's
(:mod:`wasmrun.component_launch`).
"""

from wasmrun.component_runtime.canonical import (
    LiftedFunction,
    lift_flat,
    lift_flat_values,
    lift_function,
    load,
    lower_flat,
    lower_flat_values,
    lower_function,
    store,
)
from wasmrun.component_runtime.context import BorrowScope, CanonicalOptions, LiftLowerContext
from wasmrun.component_runtime.instance_state import HandleTable, InstanceState
from wasmrun.component_runtime.instantiate import Modules, instantiate_component
from wasmrun.component_runtime.items import ComponentFunction, ComponentInstance, CoreExports
from wasmrun.component_runtime.layout import (
    MAX_FLAT_PARAMS,
    MAX_FLAT_RESULTS,
    CoreSignature,
    alignment,
    elem_size,
    flatten_functype,
    flatten_type,
)
from wasmrun.component_runtime.lookup import find_function, find_instance
from wasmrun.component_runtime.resources import (
    GuestDestructor,
    ResourceHandle,
    destroy,
    resource_drop,
    resource_new,
    resource_rep,
)
from wasmrun.component_runtime.strings import EncodedString

__all__ = [
    "MAX_FLAT_PARAMS",
    "MAX_FLAT_RESULTS",
    "BorrowScope",
    "CanonicalOptions",
    "ComponentFunction",
    "ComponentInstance",
    "CoreExports",
    "CoreSignature",
    "EncodedString",
    "GuestDestructor",
    "HandleTable",
    "InstanceState",
    "LiftLowerContext",
    "LiftedFunction",
    "Modules",
    "ResourceHandle",
    "alignment",
    "destroy",
    "elem_size",
    "find_function",
    "find_instance",
    "flatten_functype",
    "flatten_type",
    "instantiate_component",
    "lift_flat",
    "lift_flat_values",
    "lift_function",
    "load",
    "lower_flat",
    "lower_flat_values",
    "lower_function",
    "resource_drop",
    "resource_new",
    "resource_rep",
    "store",
]
