"""The API's reference, generated from its docstrings: every public name has one, and pydoc builds
HTML pages of every module of :mod:`wasmrun.api`."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import pydoc
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import wasmrun.api

MODULES = ["wasmrun.api", *sorted(f"wasmrun.api.{info.name}" for info in pkgutil.iter_modules(wasmrun.api.__path__))]


def public_names() -> list[tuple[str, str]]:
    """(owner, name) of each name of ``wasmrun.api.__all__`` and each public member its classes define."""
    found = []
    for name in wasmrun.api.__all__:
        value = getattr(wasmrun.api, name)
        if not inspect.isclass(value):
            continue
        found.append((name, ""))
        for member, _ in vars(value).items():
            if not member.startswith("_") and member != "runtime_class":
                found.append((name, member))
    return found


def docstring(owner: str, member: str) -> str | None:
    value: Any = getattr(wasmrun.api, owner)
    if member:
        value = vars(value)[member]
        if isinstance(value, classmethod | staticmethod):
            value = value.__func__
        if isinstance(value, property):
            value = value.fget
    return inspect.getdoc(value) if callable(value) or inspect.isclass(value) else "a value"


@pytest.mark.parametrize(("owner", "member"), public_names(), ids=lambda part: part or "class")
def test_every_public_name_has_a_docstring(owner: str, member: str) -> None:
    assert docstring(owner, member)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("name", MODULES)
def test_pydoc_builds_the_module_page(name: str, tmp_path: Path) -> None:
    module = importlib.import_module(name)
    page = tmp_path / f"{name}.html"
    page.write_text(pydoc.html.page(pydoc.describe(module), pydoc.html.document(module, name)), encoding="utf-8")
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    text = " ".join("".join(parser.text).replace("\xa0", " ").split())
    assert " ".join((module.__doc__ or "").split())[:30] in text
    for class_name, value in vars(module).items():
        if inspect.isclass(value) and value.__module__ == name and not class_name.startswith("_"):
            assert " ".join((inspect.getdoc(value) or "").split())[:30] in text, class_name
