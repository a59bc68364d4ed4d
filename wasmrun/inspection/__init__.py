"""What ``wasmrun inspect`` shows, as data: a module's summary, the proposals it uses, a function's code and
its translated forms, the live state of an instance.

Each view is built here from a validated :class:`~wasmrun.module.Module` (the
instance view by instantiating it) and rendered by :mod:`wasmrun.cli.inspect`
(plain text, rich tables or JSON); nothing here prints.  The VMContext layout
lives with the runtime (:mod:`wasmrun.inspection.vmoffsets`).
"""
