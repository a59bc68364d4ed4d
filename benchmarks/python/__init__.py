"""The benchmark algorithms written directly in Python, one module per program, each exporting ``bench(n)``."""
