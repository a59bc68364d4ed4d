"""What a run adds to its code store waits on disk, not in memory, and its entry is written as a stream:
the spill file, described blobs, the streaming writer."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wasmrun.cache import entry
from wasmrun.cache.code_cache import CodeCache, cached_module
from wasmrun.cache.directory import ENTRIES, CacheDirectory, UnusableDirectory
from wasmrun.cache.settings import CacheSettings
from wasmrun.cache.spill import SpilledBlobs, SpillError
from wasmrun.engine.blobs import Description, KnownBlobs
from wasmrun.engine.code_store import CodeStore
from wasmrun.engine.options import EngineOptions
from wasmrun.features import ALL_FEATURES
from wasmrun.loader import load_module

BLOBS = {
    "one blob": {("t", 0): b"code"},
    "empty blob": {("t", 0): b""},
    "several": {("t", n): bytes([n]) * (n * 1000) for n in range(1, 8)},
    "a large one": {("f", 3): os.urandom(1 << 20), ("h", ("binop", "i32.add")): b"factory"},
}

HEADER = entry.EntryHeader(entry.ENTRY, "build", "", "cpython-311", "ab" * 32, "features", "code")


def _directory(tmp_path: Path) -> CacheDirectory:
    directory = CacheDirectory(str(tmp_path / "cache"))
    directory.open()
    return directory


def _named_file(path: Path) -> Any:
    """A spill file with a name (a test's, to alter it behind the spill's back)."""
    return lambda: os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)


def _spilled(tmp_path: Path, blobs: dict[Any, bytes]) -> SpilledBlobs:
    spill = SpilledBlobs(_directory(tmp_path).scratch_file)
    for key, blob in blobs.items():
        spill[key] = blob
    return spill


# --- the spill file --------------------------------------------------------------------------------------


@pytest.mark.parametrize("blobs", BLOBS.values(), ids=BLOBS.keys())
def test_spilled_blobs_read_back_as_they_were_added(tmp_path: Path, blobs: dict[Any, bytes]) -> None:
    spill = _spilled(tmp_path, blobs)
    assert dict(spill) == blobs
    assert spill.in_memory == 0
    spill.close()


@pytest.mark.parametrize("blobs", BLOBS.values(), ids=BLOBS.keys())
def test_a_spilled_blob_is_described_without_being_read(tmp_path: Path, blobs: dict[Any, bytes]) -> None:
    spill = _spilled(tmp_path, blobs)
    spill._descriptor = None  # (a read would fail)
    assert {key: spill.describe(key) for key in spill} == {
        key: (len(blob), hashlib.sha256(blob).digest()) for key, blob in blobs.items()
    }


def test_a_blob_added_again_reads_back_as_the_last_one(tmp_path: Path) -> None:
    spill = _spilled(tmp_path, {("t", 0): b"first"})
    spill[("t", 0)] = b"second"
    assert dict(spill) == {("t", 0): b"second"}
    spill.close()


def test_the_spill_file_is_private_and_has_no_name(tmp_path: Path) -> None:
    directory = _directory(tmp_path)
    descriptor = directory.scratch_file()
    try:
        status = os.fstat(descriptor)
        assert stat.S_IMODE(status.st_mode) == 0o600
        assert status.st_nlink == 0
        assert os.listdir(directory.entries) == []
    finally:
        os.close(descriptor)


ALTERATIONS = {
    "a byte flipped": lambda data: bytes([data[0] ^ 1]) + data[1:],
    "truncated": lambda data: data[:-1],
}


@pytest.mark.parametrize("alter", ALTERATIONS.values(), ids=ALTERATIONS.keys())
def test_a_spilled_blob_altered_in_its_file_is_not_read_back(tmp_path: Path, alter: Any) -> None:
    path = tmp_path / "spill"
    spill = SpilledBlobs(_named_file(path))
    spill[("t", 0)] = b"code of function 0"
    path.write_bytes(alter(path.read_bytes()))
    with pytest.raises(SpillError):
        spill[("t", 0)]
    spill.close()


def test_blobs_are_kept_in_memory_when_the_file_cannot_be_made(tmp_path: Path) -> None:
    def unusable() -> int:
        raise UnusableDirectory("no room")

    spill = SpilledBlobs(unusable)
    spill[("t", 0)] = b"code"
    assert (dict(spill), spill.in_memory) == ({("t", 0): b"code"}, 1)


def test_blobs_are_kept_in_memory_when_the_file_cannot_be_written(tmp_path: Path) -> None:
    path = tmp_path / "spill"
    path.write_bytes(b"")
    spill = SpilledBlobs(lambda: os.open(path, os.O_RDONLY))  # (every write fails)
    spill[("t", 0)] = b"code"
    assert (dict(spill), spill.in_memory) == ({("t", 0): b"code"}, 1)
    spill.close()


def test_a_closed_spill_holds_nothing(tmp_path: Path) -> None:
    spill = _spilled(tmp_path, BLOBS["several"])
    spill.close()
    assert (len(spill), spill._descriptor) == (0, None)


# --- the entry as a stream -------------------------------------------------------------------------------


class _Recording(KnownBlobs):
    """Described blobs that record when each is read."""

    def __init__(self, blobs: dict[Any, bytes]) -> None:
        self.blobs = blobs
        self.read: list[Any] = []

    def __getitem__(self, key: Any) -> bytes:
        self.read.append(key)
        return self.blobs[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.blobs)

    def __len__(self) -> int:
        return len(self.blobs)

    def describe(self, key: Any) -> Description:
        blob = self.blobs[key]
        return len(blob), hashlib.sha256(blob).digest()


@pytest.mark.parametrize("blobs", BLOBS.values(), ids=BLOBS.keys())
def test_an_entry_written_from_described_blobs_reads_back_as_the_blobs(tmp_path: Path, blobs: dict[Any, bytes]) -> None:
    payload = entry.Payload(b"module", None, blobs)
    spill = _spilled(tmp_path, blobs)
    assert entry.decode(entry.encode(HEADER, payload._replace(items=spill), None), None)[1] == payload
    spill.close()


def test_described_blobs_are_read_one_at_a_time_as_they_are_written() -> None:
    items = _Recording(BLOBS["several"])
    chunks = entry.encode_chunks(HEADER, entry.Payload(b"module", None, items), None)
    for _ in range(5):  # the magic, the header, the digest, the index, the module
        next(chunks)
    assert items.read == []
    for number, _chunk in enumerate(chunks, start=1):
        assert len(items.read) == number


def test_a_blob_that_does_not_read_back_stops_the_write_and_leaves_no_file(tmp_path: Path) -> None:
    directory = _directory(tmp_path)
    spill = SpilledBlobs(_named_file(tmp_path / "spill"))
    spill[("t", 0)] = b"code of function 0"
    (tmp_path / "spill").write_bytes(b"code of function 1")
    with pytest.raises(SpillError):
        directory.write("key", entry.encode_chunks(HEADER, entry.Payload(b"module", None, spill), b"k" * 32))
    assert os.listdir(directory.entries) == []
    spill.close()


def test_a_cache_skips_an_entry_whose_blob_does_not_read_back(tmp_path: Path) -> None:
    warnings: list[str] = []
    cache = CodeCache(CacheSettings(directory=str(tmp_path / "cache")), warnings.append)
    spill = SpilledBlobs(_named_file(tmp_path / "spill"))
    spill[("t", 0)] = b"code of function 0"
    (tmp_path / "spill").write_bytes(b"")
    cache.write("key", HEADER, entry.Payload(b"module", None, spill))
    assert (os.listdir(tmp_path / "cache" / ENTRIES), warnings) == ([], [])
    spill.close()


# --- a run's store --------------------------------------------------------------------------------------

MODULE = b'(module (func (export "f") (result i32) (i32.const 7)))'


def test_what_a_run_adds_waits_in_the_spill_file(tmp_path: Path) -> None:
    cache = CodeCache(CacheSettings(directory=str(tmp_path / "cache")), print)
    with cached_module(cache, MODULE, ALL_FEATURES, EngineOptions(), lambda: load_module(MODULE)) as cached:
        store = cached.code_store
        assert store is not None
        store.add_function_code(0, "interpreted")
        added = store._added
        assert isinstance(added, SpilledBlobs)
        assert (len(added), added.in_memory) == (1, 0)
    assert len(added) == 0  # (closed: the file is gone with its descriptor)
    assert [name for name in os.listdir(tmp_path / "cache" / ENTRIES) if name.startswith(".")] == []


def test_a_store_keeps_only_the_item_it_decoded_last() -> None:
    reads: list[Any] = []

    class Counting(dict[Any, bytes]):
        def get(self, key: Any, default: Any = None) -> Any:
            reads.append(key)
            return super().get(key, default)

    made = CodeStore(load_module(MODULE))
    made.add_function_code(0, "interpreted")
    made.add_function_code(1, "uncompilable")
    store = CodeStore(made.module, Counting(made.items()))
    for index in (0, 0, 1, 0):
        store.function_code(index)
    assert reads == [("f", 0), ("f", 1), ("f", 0)]
