"""Debug information for trap backtraces: function names and DWARF source lines.

Nothing here is imported on wasmrun's start-up path: the CLI imports
:mod:`wasmrun.debug.backtrace` only when it prints a trap (or ``inspect`` asks), and
pyelftools is imported only inside :mod:`wasmrun.debug.dwarf`, only when a module
carries DWARF.
"""
