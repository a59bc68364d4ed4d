"""What the interpreter's handlers of SIMD instructions name (see :mod:`wasmrun.interp.simd_translation`).

The SIMD instructions translate to the ordinary families (``unop``,
``binop``, ``ternop``, scalar ``load``/``store``) and to ``v128.load`` /
``v128.store`` (:data:`wasmrun.interp.fusion.FAMILIES`);
:mod:`wasmrun.interp.handlers` generates their factories like any other.  The
generated source calls each lane operation by its mnemonic with dots as
underscores (``i8x16_add(R[x], R[y])``, ``i8x16_extract_lane_s(lane,
R[y])``): :data:`NAMESPACE` binds those names to the functions of
:mod:`wasmrun.semantics.simd`, where all lane semantics live, and adds the
16-byte access of ``v128.load``/``v128.store``.
"""

from __future__ import annotations

import struct
from typing import Any

from wasmrun.semantics.simd import SIMD_FUNCTIONS

_V128 = struct.Struct("<16s")  # 16 bytes at once: one bounds check for the whole access

NAMESPACE: dict[str, Any] = {
    **{mnemonic.replace(".", "_"): function for mnemonic, function in SIMD_FUNCTIONS.items()},
    "V128_UNPACK": _V128.unpack_from,
    "V128_PACK": _V128.pack_into,
    "V128_FROM_BYTES": int.from_bytes,
}
"""Names for the handlers' namespace: every SIMD lane function, and the v128 access helpers."""
