"""The ``wasmrun`` command line: click parses, :mod:`wasmrun.cli.config` holds what was asked, the library runs.

Entry point: :func:`wasmrun.cli.main.main`.  The grammar is the CLI contract's.
"""
