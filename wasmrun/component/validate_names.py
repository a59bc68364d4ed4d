"""Names in components (Explainer.md, Import and Export Definitions; Name Uniqueness).

* :func:`is_kebab`: the ``label`` production (words of lowercase letters and digits, or acronyms of
  uppercase letters and digits, joined by ``-``; the first starting with a letter);
* :func:`parse_extern_name`: an import's or export's name, ``plainname`` (a label, or one annotated
  ``[constructor]``, ``[method]`` or ``[static]``), ``interfacename`` (``ns:pkg/iface@version``) or
  one of the older dependency forms (``unlocked-dep=<...>``, ``locked-dep=<...>``, ``url=<...>``,
  ``integrity=<...>``, accepted in imports only);
* :class:`NameSet`: the names of one list, strongly-unique (compared canonicalised) or, for core
  module types, unique.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wasmrun.component.typedefs import ExternName
from wasmrun.errors import ValidationError

_LABEL = re.compile(r"(?:[a-z][0-9a-z]*|[A-Z][0-9A-Z]*)(?:-(?:[0-9a-z]+|[0-9A-Z]+))*\Z")
_WORDS = re.compile(r"[a-z][0-9a-z]*(?:-[0-9a-z]+)*\Z")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}\Z")
_SEMVER_IDENTIFIER = re.compile(r"[0-9A-Za-z-]+\Z")


def is_kebab(name: str) -> bool:
    return _LABEL.match(name) is not None


def check_label(name: str, what: str, offset: int | None) -> None:
    """A label of a type (``record field``, ``variant case`` ...) or a parameter: kebab case."""
    if not name:
        raise ValidationError(f"{what} name cannot be empty", offset)
    if not is_kebab(name):
        raise ValidationError(f"{what} name `{name}` is not in kebab case", offset)


class NameError_(Exception):
    """Why a name does not parse (becomes a ValidationError with the whole name)."""


def _kebab(name: str) -> None:
    if not is_kebab(name):
        raise NameError_(f"`{name}` is not in kebab case")


@dataclass(frozen=True, slots=True)
class ParsedName:
    """An extern name: its ``kind`` (``label``, ``constructor``, ``method``, ``static``, ``interface``,
    ``dependency``, ``url``, ``hash``), the resource a method names and the canonical form compared for
    strong uniqueness."""

    text: str
    kind: str
    resource: str = ""
    key: str = ""


def parse_extern_name(name: ExternName, *, export: bool, offset: int | None) -> ParsedName:
    """An import's (``export`` False) or export's name, checked."""
    text = name.name
    try:
        parsed = _parse(text)
    except NameError_ as error:
        raise ValidationError(f"`{text}` is not a valid extern name: {error}", offset) from None
    if export and parsed.kind in ("dependency", "url", "hash"):
        raise ValidationError(f"`{text}` is not a valid export name", offset)
    return parsed


_PREFIXES = ("unlocked-dep=", "locked-dep=", "url=", "integrity=", "relative-url=")


def _parse(text: str) -> ParsedName:
    for annotation in ("[constructor]", "[method]", "[static]"):
        if text.startswith(annotation):
            return _annotated(text, annotation[1:-1], text[len(annotation) :])
    if text.startswith("relative-url="):
        raise NameError_("relative URLs are not supported")
    if text.startswith("unlocked-dep="):
        _unlocked_dependency(text[len("unlocked-dep=") :])
        return ParsedName(text, "dependency", key=text)
    if text.startswith("locked-dep="):
        rest = _bracketed_package(text[len("locked-dep=") :], locked=True)
        _integrity_suffix(rest)
        return ParsedName(text, "dependency", key=text)
    if text.startswith("url="):
        rest = text[len("url=") :]
        if not rest.startswith("<"):
            raise NameError_(f"expected `<` at `{rest}`")
        end = rest.find(">")
        if end < 0:
            raise NameError_("failed to find `>`")
        if "<" in rest[1:end]:
            raise NameError_("url cannot contain `<`")
        _integrity_suffix(rest[end + 1 :])
        return ParsedName(text, "url", key=text)
    if text.startswith("integrity="):
        rest = text[len("integrity=") :]
        _integrity(rest)
        return ParsedName(text, "hash", key=text)
    if ":" in text:
        _interface(text)
        return ParsedName(text, "interface", key=text.lower())
    _kebab(text)
    return ParsedName(text, "label", key=text.lower())


def _annotated(text: str, kind: str, rest: str) -> ParsedName:
    if kind == "constructor":
        _kebab(rest)
        return ParsedName(text, kind, resource=rest, key=text.lower())
    dot = rest.find(".")
    if dot < 0:
        raise NameError_("failed to find `.` character")
    resource, member = rest[:dot], rest[dot + 1 :]
    _kebab(resource)
    _kebab(member)
    if resource.lower() == member.lower():
        key = resource.lower()
    else:
        key = f"{resource}.{member}".lower()
    return ParsedName(text, kind, resource=resource, key=key)


def _interface(text: str) -> None:
    """``namespace:package/interface@version``."""
    namespace, _, rest = text.partition(":")
    _words(namespace)
    package, slash, rest = rest.partition("/")
    if ":" in package:
        raise NameError_("expected `/` after package name")
    _words(package)
    if not slash:
        raise NameError_("expected `/` after package name")
    interface, at, version = rest.partition("@")
    if "/" in interface:
        raise NameError_(f"trailing characters found: `{interface[interface.index('/') :]}`")
    _kebab(interface)
    if at:
        check_semver(version)


def _words(text: str) -> None:
    _kebab(text)
    if _WORDS.match(text) is None:
        raise NameError_(
            f"character `{next(c for c in text if c.isupper())}` is not lowercase in package name/namespace"
        )


def _package_name(text: str) -> None:
    """``ns:pkg`` (and an optional ``@...`` handled by the caller)."""
    namespace, colon, package = text.partition(":")
    _kebab(namespace)
    if not colon:
        raise NameError_(f"expected `:` at `{text}`")
    _kebab(package)


def _bracketed_package(text: str, *, locked: bool) -> str:
    """``<ns:pkg@version>``: what follows it."""
    if not text.startswith("<"):
        raise NameError_(f"expected `<` at `{text}`")
    end = text.find(">")
    inner = text[1:] if end < 0 else text[1:end]
    name, at, version = inner.partition("@")
    _package_name(name)
    if end < 0:
        raise NameError_("expected `>` at ``")
    if at:
        if locked:
            check_semver(version)
        else:
            _version_range(version)
    return text[end + 1 :]


def _unlocked_dependency(text: str) -> None:
    if not text.startswith("<"):
        raise NameError_(f"expected `<` at `{text}`")
    end = text.find(">", text.find("}") if "{" in text else 0)
    inner = text[1:] if end < 0 else text[1:end]
    name, at, version = inner.partition("@")
    _package_name(name)
    if at:
        if version != "*":
            if not version.startswith("{"):
                raise NameError_(f"expected `{{` at `{text[text.index('@') + 1 :]}`")
            if not version.endswith("}"):
                raise NameError_("expected `}`")
            _version_range(version[1:-1])
    if end < 0:
        raise NameError_("expected `>` at ``")
    if text[end + 1 :]:
        raise NameError_(f"trailing characters found: `{text[end + 1 :]}`")


def _version_range(text: str) -> None:
    if text.startswith(">="):
        rest = text[2:]
        lower, space, upper = rest.partition(" ")
        check_semver(lower)
        if space:
            if not upper.startswith("<"):
                raise NameError_(f"`{upper}` is not a valid semver")
            check_semver(upper[1:])
        return
    if text.startswith("<"):
        check_semver(text[1:])
        return
    raise NameError_("expected `>=` or `<` at start of version range")


def _integrity_suffix(text: str) -> None:
    if not text:
        return
    if text.startswith(","):
        if not text.startswith(",integrity=<"):
            raise NameError_("expected `integrity=<`")
        _integrity(text[len(",integrity=") :])
        return
    raise NameError_(f"trailing characters found: `{text}`")


def _integrity(text: str) -> None:
    if not text.startswith("<"):
        raise NameError_(f"expected `<` at `{text}`")
    end = text.find(">")
    if end < 0:
        raise NameError_("failed to find `>`")
    if text[end + 1 :]:
        raise NameError_(f"trailing characters found: `{text[end + 1 :]}`")
    hashes = text[1:end].split()
    if not hashes:
        raise NameError_("integrity hash cannot be empty")
    for item in hashes:
        algorithm, dash, digest = item.partition("-")
        if not dash:
            raise NameError_("expected `-` after hash algorithm")
        if algorithm not in ("sha256", "sha384", "sha512"):
            raise NameError_(f"unrecognized hash algorithm: `{algorithm}`")
        digest = digest.partition("?")[0]
        if _BASE64.match(digest) is None:
            raise NameError_(f"`{digest}` is not valid base64")


def check_semver(text: str) -> None:
    """A valid semver (https://semver.org), with the texts of Rust's ``semver`` crate."""
    if not text:
        raise NameError_(f"`{text}` is not a valid semver: empty string, expected a semver version")
    try:
        _semver(text)
    except NameError_ as error:
        raise NameError_(f"`{text}` is not a valid semver: {error}") from None


def _semver(text: str) -> None:
    position = 0
    for part in ("major", "minor", "patch"):
        start = position
        while position < len(text) and text[position].isdigit():
            position += 1
        if position == start:
            if position == len(text):
                raise NameError_(f"unexpected end of input while parsing {part} version number")
            raise NameError_(f"unexpected character {text[position]!r} while parsing {part} version number")
        if position - start > 1 and text[start] == "0":
            raise NameError_(f"invalid leading zero in {part} version number")
        if part != "patch":
            if position == len(text):
                raise NameError_(f"unexpected end of input while parsing {part} version number")
            if text[position] != ".":
                raise NameError_(f"unexpected character {text[position]!r} after {part} version number")
            position += 1
    rest = text[position:]
    if not rest:
        return
    if rest[0] not in "-+":
        raise NameError_(f"unexpected character {rest[0]!r} after patch version number")
    pre, plus, build = rest[1:].partition("+") if rest[0] == "-" else ("", "+", rest[1:])
    if rest[0] == "-":
        _identifiers(pre, "pre-release")
    if plus:
        _identifiers(build, "build metadata")


def _identifiers(text: str, what: str) -> None:
    for identifier in text.split("."):
        if not identifier:
            raise NameError_(f"empty identifier segment in {what} identifier")
        if _SEMVER_IDENTIFIER.match(identifier) is None:
            raise NameError_(f"unexpected character in {what} identifier")


def check_interface_name(text: str, what: str, offset: int | None) -> None:
    """An ``implements`` attribute's value: an interface name."""
    if not text:
        raise ValidationError(f"`{text}` is not a valid name for {what}", offset)
    try:
        parsed = _parse(text)
    except NameError_ as error:
        raise ValidationError(f"`{text}` is not a valid name for {what}: {error}", offset) from None
    if parsed.kind != "interface":
        raise ValidationError(f"`{text}` must be an interface name for {what}", offset)


class NameSet:
    """The names of one import or export list, strongly-unique."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.keys: dict[str, str] = {}

    def add(self, parsed: ParsedName, offset: int | None) -> None:
        previous = self.keys.get(parsed.key)
        if previous is not None:
            raise ValidationError(f"{self.what} name `{parsed.text}` conflicts with previous name `{previous}`", offset)
        self.keys[parsed.key] = parsed.text


def check_labels(labels: list[str], what: str, offset: int | None, *, previous_what: str | None = None) -> None:
    """Labels of one type (record fields, cases, flags, parameters): kebab case, strongly-unique."""
    seen: dict[str, str] = {}
    for label in labels:
        check_label(label, what, offset)
        earlier = seen.get(label.lower())
        if earlier is not None:
            raise ValidationError(
                f"{what} name `{label}` conflicts with previous {previous_what or what} name `{earlier}`", offset
            )
        seen[label.lower()] = label
