"""Validation (spec chapter 3): is a decoded module well-typed?

:func:`validate_module` checks a :class:`~wasmrun.module.Module` against the
WebAssembly 2.0 rules and raises :class:`~wasmrun.errors.ValidationError` with
the reference interpreter's text (``type mismatch``, ``unknown local 2``, ...)
at the first problem; a malformed function body is a
:class:`~wasmrun.errors.DecodeError`, which wins.

The parts, from the top:

* :mod:`~wasmrun.validation.module`: :func:`validate_module`, the module-level
  rules (imports, limits, constant expressions, segments, start, exports) and
  the feature check;
* :mod:`~wasmrun.validation.body`: the loop that types a function body, and
  its fast paths;
* :mod:`~wasmrun.validation.rules`: how an instruction's rule is found in the
  instruction table (a fixed stack effect, else its control kind, else its
  mnemonic), the rules of the non-control instructions, and :func:`covers`;
* :mod:`~wasmrun.validation.control`: the rules of the control instructions;
* :mod:`~wasmrun.validation.stack`: the spec appendix's algorithm, an operand
  stack and a control stack, explained there;
* :mod:`~wasmrun.validation.context`: the validation context ``C``.
"""

from __future__ import annotations

from wasmrun.validation.module import validate_module
from wasmrun.validation.rules import covers

__all__ = ["covers", "validate_module"]
