"""Code generation: each wasm function as the source of one Python function (see :mod:`.generator`)."""

from wasmrun.codegen.generator import (
    AT,
    MEMORY,
    PLAIN,
    STRUCT_NAMES,
    TRAPS,
    Expressions,
    GeneratedFunction,
    generate_function,
    generate_loop_entry,
)

__all__ = [
    "AT",
    "MEMORY",
    "PLAIN",
    "STRUCT_NAMES",
    "TRAPS",
    "Expressions",
    "GeneratedFunction",
    "generate_function",
    "generate_loop_entry",
]
