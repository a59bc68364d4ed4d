"""Differential and mutation fuzzing of wasmrun (``python -m fuzz``; see ``fuzz/README.md``).

* :mod:`fuzz.differential`: modules from ``wasm-tools smith`` and ``wasm-opt -ttf``
  (:mod:`fuzz.generate`, inside a feature set of :mod:`fuzz.features`) run under
  every wasmrun tier and under Wasmtime, compared bit for bit (:mod:`fuzz.compare`);
* :mod:`fuzz.mutate`: mutated binaries and texts must load or fail with a
  documented error, in bounded time.

wasmrun is reached through its public names, and through :mod:`fuzz.adapter`
for the rest; Wasmtime through wasmtime-py (:mod:`fuzz.run_wasmtime`).
"""
