"""The Component Model's front end: component types, the decoded component, its binary and text formats.

(The component's runtime, the canonical ABI and handle tables, is :mod:`wasmrun.component_runtime`.)
"""
