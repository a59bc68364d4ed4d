"""The runtime: the store and what it owns (instances, functions, memories, tables, globals)."""
