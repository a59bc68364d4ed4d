"""The Component Model text format: component text to the component binary format.

:func:`encode_component_text` reads one ``(component ...)`` form (or
``(component binary ...)``, ``(component quote ...)``, or a component's bare
definitions) and returns its bytes as ``wasm-tools parse`` writes them, name
section included.  Errors are :class:`~wasmrun.errors.TextSyntaxError`.
"""

from __future__ import annotations

from wasmrun.component.text.definitions import ComponentParser
from wasmrun.text.lexer import Token, is_id, tokenize

__all__ = ["encode_component_text"]


def encode_component_text(text: str, *, definitions: bool = False) -> bytes:
    """The binary encoding of a component written as text: a ``(component ...)`` form (``binary`` and
    ``quote`` forms too), or the definitions of one (``definitions``: always so, as a quoted component's
    text; otherwise so when the text is not one ``(component ...)`` form)."""
    if definitions:
        return _encode_definitions(text)
    tokens = tokenize(text)
    whole = len(tokens) > 2 and tokens[0][0] == "(" and tokens[1][0] == "component"
    if whole:
        parser = ComponentParser(text, tokens, None)
        whole = parser.skip_form(0) == len(tokens) - 1
        quote = 3 if is_id(tokens[2][0]) else 2
        if whole and tokens[quote][0] == "quote":
            parser.i = quote + 1
            quoted = parser.strings()
            parser.expect(")")
            parser.expect("")
            return _encode_definitions(quoted.decode("utf-8", "surrogateescape"))
    if not whole:
        return _encode_definitions(text)
    return _encode(text, tokens)


def _encode_definitions(text: str) -> bytes:
    """A component from its definitions alone."""
    text = "(component " + text + "\n)"
    return _encode(text, tokenize(text))


def _encode(text: str, tokens: list[Token]) -> bytes:
    parser = ComponentParser(text, tokens, None)
    binary = parser.component(0)
    parser.expect("")
    if parser.deferred:
        # An identifier was used before its definition: read again, knowing every binding.
        parser = ComponentParser(text, tokens, parser.recorded)
        binary = parser.component(0)
    return binary
