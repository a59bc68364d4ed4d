"""The Component Model at run time: the canonical ABI, resources and their handle tables, component instances."""
