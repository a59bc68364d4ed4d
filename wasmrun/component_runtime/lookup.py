"""Finding an exported function by name, as ``wasmtime run --invoke`` does.

A name is a top-level function export (``greet``), a function of an exported instance written
``instance#func`` (``wasi:cli/run@0.2.12#run``), or a WIT item name as WAVE reads it
(:func:`wasmrun.component.wave.parse_item_name`): ``iface.func`` or ``ns:pkg/iface.func@1.2.3``
names ``func`` in the exported instance ``iface`` (``ns:pkg/iface@1.2.3``).
"""

from __future__ import annotations

from wasmrun.component.wave import parse_item_name
from wasmrun.component_runtime.items import ComponentInstance, Function


def find_function(instance: ComponentInstance, name: str) -> Function | None:
    """The function ``name`` designates among ``instance``'s exports, if any.

    Raises :class:`~wasmrun.component.wave.ItemNameError` if ``name`` is no WIT item name (and has no ``#``).
    """
    if "#" in name:
        instance_name, _, function_name = name.rpartition("#")
        holder = instance.instance(instance_name)
        return None if holder is None else holder.function(function_name)
    item = parse_item_name(name)
    holder_name = item.instance_name
    if holder_name is None:
        return instance.function(item.name)
    holder = instance.instance(holder_name)
    return None if holder is None else holder.function(item.name)


def find_instance(instance: ComponentInstance, package_interface: str, major_minor: str) -> ComponentInstance | None:
    """The exported instance ``package_interface@major_minor.N`` for any patch ``N`` (the first in export order)."""
    prefix = f"{package_interface}@{major_minor}."
    for name, item in instance.exports.items():
        if isinstance(item, ComponentInstance) and name.startswith(prefix) and name[len(prefix) :].isdigit():
            return item
    return None
