"""Packaging: the sdist and the wheel as ``python -m build`` makes them, installed into fresh venvs and run.

The build runs without build isolation (the test environment's setuptools, from the ``test`` extra), so
it needs no network; installing the wheel takes its dependencies from the package index, as a user's
``pip install`` does.  Each CPython that the classifiers name gets its own venv: the one running the
tests always, the others when they are installed (on PATH or under pyenv), else a skip that says so.

The build and each venv are made once per session, shared by the xdist workers (under a file lock).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import wasmrun

REPO_ROOT = Path(__file__).resolve().parents[2]
HELLO = REPO_ROOT / "examples" / "hello.wasm"
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))

PYTHON_VERSIONS = [
    match.group(1)
    for classifier in PYPROJECT["project"]["classifiers"]
    if (match := re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", classifier))
]

# The sdist: the package, the files its metadata names, and the documents MANIFEST.in grafts.
SDIST_DIRECTORIES = ("wasmrun", "docs", "examples", "completions")
SDIST_FILES = ("pyproject.toml", "README.md", "CHANGELOG.md", "MANIFEST.in")
SDIST_GENERATED = re.compile(r"PKG-INFO|setup\.cfg|wasmrun\.egg-info/.*")
SDIST_LICENSE_FILES = ("LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*")  # setuptools adds these by itself

# What the build and the venvs must not inherit from the test run: its import path and its venv.
FOREIGN_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")

TIMEOUT = 300  # seconds for one build or install; they take a few on an idle machine


def clean_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in FOREIGN_VARIABLES}


def run(command: list[str | Path], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def check(result: subprocess.CompletedProcess[str]) -> None:
    """A failed build step fails the test with the end of what it printed."""
    if result.returncode != 0:
        output = (result.stdout + result.stderr).splitlines()
        pytest.fail(f"{' '.join(result.args)} exited with {result.returncode}:\n" + "\n".join(output[-30:]))


def made_once(shared: Path, name: str, make: Callable[[Path], None]) -> Path:
    """``shared/name``, made by ``make`` in the first worker that asks for it; the others wait and reuse it."""
    target = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            make(target)
            (target / ".complete").touch()
    return target


@pytest.fixture(scope="session")
def shared_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of this session that every xdist worker sees (the parent of the workers' own)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


def source_files(root: Path) -> list[str]:
    """The repository's files, as a fresh clone has them (plus new files not yet added), relative to root."""
    if (root / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode()
        return [name for name in listed.split("\0") if name and (root / name).is_file()]
    skipped = {".git", ".venv", "venv", "build", "dist", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
    return [
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not skipped.intersection(path.relative_to(root).parts)
    ]


def tree_files(root: Path, directory: str) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in (root / directory).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


class Distributions:
    """The sdist and the wheel, built from a copy of the repository (so that the build's ``build/`` and
    ``*.egg-info`` never land in the working tree)."""

    def __init__(self, directory: Path) -> None:
        self.source = directory / "source"
        self.dist = directory / "dist"
        (self.sdist,) = self.dist.glob("*.tar.gz")
        (self.wheel,) = self.dist.glob("*.whl")

    def sdist_members(self) -> set[str]:
        with tarfile.open(self.sdist) as archive:
            prefix = f"wasmrun-{wasmrun.__version__}/"
            return {member.name.removeprefix(prefix) for member in archive.getmembers() if member.isfile()}

    def wheel_members(self) -> set[str]:
        with zipfile.ZipFile(self.wheel) as archive:
            return {name for name in archive.namelist() if not name.endswith("/")}


def build_distributions(directory: Path) -> None:
    source = directory / "source"
    for name in source_files(REPO_ROOT):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, source / name)
    # build makes the sdist, then the wheel from the unpacked sdist: the sdist must be enough to build it.
    check(run([sys.executable, "-m", "build", "--no-isolation", "--outdir", directory / "dist", source], cwd=directory))


@pytest.fixture(scope="session")
def distributions(shared_directory: Path) -> Distributions:
    return Distributions(made_once(shared_directory, "distributions", build_distributions))


def find_python(version: str) -> Path | None:
    """A CPython ``version`` interpreter: this one, else ``pythonX.Y`` on PATH, else pyenv's."""
    if version == "{}.{}".format(*sys.version_info[:2]):
        return Path(sys.executable)
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}"), *sorted(pyenv.glob(f"versions/{version}.*/bin/python{version}"))]
    for candidate in candidates:
        if candidate is None:
            continue
        try:
            answer = subprocess.run(
                [str(candidate), "-c", "import sys, venv; print('{}.{}'.format(*sys.version_info[:2]))"],
                capture_output=True,
                text=True,
                timeout=60,
                env=clean_environment(),
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if answer.returncode == 0 and answer.stdout.strip() == version:  # a pyenv shim may name another
            return Path(candidate)
    return None


@pytest.fixture(scope="session", params=PYTHON_VERSIONS)
def venv(request: pytest.FixtureRequest, shared_directory: Path, distributions: Distributions) -> Iterator[Path]:
    """A fresh venv of one Python with the wheel installed (its dependencies from the index)."""
    version: str = request.param
    python = find_python(version)
    if python is None:
        pytest.skip(f"CPython {version} is not installed (looked on PATH and under pyenv)")

    def install(directory: Path) -> None:
        # The venv's own pip (ensurepip's, of that Python): the test environment's pip installing into it
        # with --python fails in older pips (Debian 12's 23.0.1 crashes on a newer Python's venv).
        check(run([python, "-m", "venv", directory], cwd=shared_directory))
        pip = [directory / "bin" / "python", "-m", "pip"]
        check(run([*pip, "install", "--no-input", "--disable-pip-version-check", distributions.wheel], cwd=directory))

    yield made_once(shared_directory, f"venv-{version}", install)


# -- what the build makes ---------------------------------------------------------------------------------


def test_the_wheel_holds_every_file_of_the_package(distributions: Distributions) -> None:
    in_wheel = {name for name in distributions.wheel_members() if name.startswith("wasmrun/")}
    assert in_wheel == tree_files(distributions.source, "wasmrun")


def test_the_sdist_holds_the_package_its_documents_and_nothing_else(distributions: Distributions) -> None:
    expected = set(SDIST_FILES).union(*(tree_files(distributions.source, name) for name in SDIST_DIRECTORIES))
    expected |= {path.name for pattern in SDIST_LICENSE_FILES for path in distributions.source.glob(pattern)}
    members = {name for name in distributions.sdist_members() if not SDIST_GENERATED.fullmatch(name)}
    assert members == expected


def test_the_wheel_names_wasmruns_version(distributions: Distributions) -> None:
    assert distributions.wheel.name == f"wasmrun-{wasmrun.__version__}-py3-none-any.whl"


# -- the installed wheel, in a fresh venv of each Python ---------------------------------------------------


def test_the_venv_imports_wasmrun_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    result = run([venv / "bin" / "python", "-c", "import wasmrun; print(wasmrun.__file__)"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(venv)


def test_the_console_script_runs_hello(venv: Path, tmp_path: Path) -> None:
    result = run([venv / "bin" / "wasmrun", HELLO], cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "Hello, world!\n", "")


def test_python_dash_m_wasmrun_prints_the_version(venv: Path, tmp_path: Path) -> None:
    result = run([venv / "bin" / "python", "-m", "wasmrun", "--version"], cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"wasmrun {wasmrun.__version__}\n", "")


# -- python -m wasmrun in the working tree ------------------------------------------------------------------


def run_in_tree(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *(str(argument) for argument in arguments)],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def console_script_code() -> str:
    """What the ``wasmrun`` console script runs, from its entry point in pyproject.toml."""
    module, function = PYPROJECT["project"]["scripts"]["wasmrun"].split(":")
    return f"import sys; sys.argv[0] = 'wasmrun'; from {module} import {function}; {function}()"


COMMAND_LINES = {"hello": [HELLO], "help": ["--help"], "a-missing-file": ["no-such-file.wasm"]}


@pytest.mark.parametrize("arguments", COMMAND_LINES.values(), ids=COMMAND_LINES.keys())
def test_python_dash_m_wasmrun_does_what_the_console_script_does(arguments: list[str | Path]) -> None:
    as_module = run_in_tree("-m", "wasmrun", *arguments)
    as_script = run_in_tree("-c", console_script_code(), *arguments)
    assert (as_module.returncode, as_module.stdout, as_module.stderr) == (
        as_script.returncode,
        as_script.stdout,
        as_script.stderr,
    )


def test_python_dash_m_wasmrun_names_itself_wasmrun_in_its_usage() -> None:
    result = run_in_tree("-m", "wasmrun", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: wasmrun ")
