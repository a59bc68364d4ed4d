"""Benchmarks: bare wasm programs and the same algorithms in Python (run with ``python -m benchmarks``)."""
