"""Fixtures of the unit tests: the WASI tests run under every Guest backend.

A test that makes a :class:`wasi_harness.Guest` (through a fixture named
``guest``, or by calling ``Guest`` itself) runs once per backend of
:data:`wasi_harness.BACKENDS`: ``direct`` and ``engine``, or ``oracle`` alone
with ``WASMRUN_WASI_ORACLE=1``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import wasi_harness


def _makes_a_guest(metafunc: pytest.Metafunc) -> bool:
    if getattr(metafunc.module, "Guest", None) is not wasi_harness.Guest:
        return False
    return "guest" in metafunc.fixturenames or "Guest" in metafunc.function.__code__.co_names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if _makes_a_guest(metafunc):
        metafunc.parametrize("wasi_backend", wasi_harness.BACKENDS, indirect=True)


@pytest.fixture(autouse=True)
def wasi_backend(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The backend of the Guests this test makes (None: a test that makes none)."""
    name: str | None = getattr(request, "param", None)
    if name is None:
        yield None
        return
    with wasi_harness.use_backend(name):
        yield name
