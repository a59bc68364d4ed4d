"""Execution: numeric semantics, calls, frames, traps."""
