"""The code cache's parts: settings (Wasmtime's TOML), the entry format, the module's pickle, the code store."""

from __future__ import annotations

import io
import os
import pickle
import pickletools
import sys
from pathlib import Path
from typing import Any

import pytest
from testdata import REPO_ROOT

from wasmrun.cache import entry, settings
from wasmrun.cache.settings import MIB, CacheSettings, parse_config
from wasmrun.engine.code_store import INTERPRETED, UNCOMPILABLE, CodeStore
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import CacheConfigError
from wasmrun.loader import load_module
from wasmrun.runtime.linker import Linker
from wasmrun.runtime.store import Store

EXAMPLES = REPO_ROOT / "examples"


def _is_core_module(path: Path) -> bool:
    from wasmrun.cli.source import is_component_source

    return not is_component_source(path.read_bytes())


MODULE_FILES = [
    path
    for path in sorted(
        [*EXAMPLES.glob("*.wat"), *EXAMPLES.glob("*.wasm"), *(REPO_ROOT / "tests" / "data" / "run").glob("*.wat")]
    )
    if _is_core_module(path)
]

# --- settings ------------------------------------------------------------------------------------------------

SETTINGS = {
    "nothing": ({"cache": {}}, CacheSettings()),
    "enabled": ({"cache": {"enabled": False}}, CacheSettings(enabled=False)),
    "directory": ({"cache": {"directory": "/var/cache/w"}}, CacheSettings(directory="/var/cache/w")),
    "Gi": ({"cache": {"files-total-size-soft-limit": "1Gi"}}, CacheSettings(total_size_limit=1 << 30)),
    "M": ({"cache": {"files-total-size-soft-limit": "3M"}}, CacheSettings(total_size_limit=3_000_000)),
    "bytes": ({"cache": {"files-total-size-soft-limit": "100"}}, CacheSettings(total_size_limit=100)),
    "K files": ({"cache": {"file-count-soft-limit": "10K"}}, CacheSettings(file_count_limit=10_000)),
    "percent": (
        {"cache": {"file-count-limit-percent-if-deleting": "50%"}},
        CacheSettings(file_count_percent_if_deleting=50),
    ),
    "worker keys, no effect": (
        {
            "cache": {
                "cleanup-interval": "30m",
                "worker-event-queue-size": "16",
                "baseline-compression-level": 3,
                "optimized-compression-level": 20,
                "optimized-compression-usage-counter-threshold": "256",
                "optimizing-compression-task-timeout": "30m",
                "allowed-clock-drift-for-files-from-future": "1d",
            }
        },
        CacheSettings(),
    ),
}


@pytest.mark.parametrize(("document", "expected"), SETTINGS.values(), ids=SETTINGS.keys())
def test_wasmtime_settings_are_read(document: dict[str, Any], expected: CacheSettings) -> None:
    assert parse_config(document) == expected


REFUSED = {
    "unknown key": {"cache": {"bogus": 1}},
    "unknown section": {"cache": {}, "other": {}},
    "no cache section": {},
    "relative directory": {"cache": {"directory": "relative"}},
    "duration without a unit": {"cache": {"cleanup-interval": "30"}},
    "size with a bad unit": {"cache": {"files-total-size-soft-limit": "1GB"}},
    "count with a binary unit": {"cache": {"file-count-soft-limit": "1Ki"}},
    "percent over 100": {"cache": {"file-count-limit-percent-if-deleting": "101%"}},
    "compression level out of range": {"cache": {"baseline-compression-level": 22}},
    "enabled not a boolean": {"cache": {"enabled": "yes"}},
}


@pytest.mark.parametrize("document", REFUSED.values(), ids=REFUSED.keys())
def test_what_wasmtime_refuses_is_refused(document: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        parse_config(document)


def test_a_file_that_is_not_toml_is_a_cache_config_error(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("[cache")
    with pytest.raises(CacheConfigError, match="failed to parse config file"):
        settings.read_config(str(tmp_path / "c.toml"))


def test_the_directory_variable_wins(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[cache]\ndirectory = "/configured"\n')
    found = settings.load_settings(str(tmp_path / "c.toml"), environ={"WASMRUN_CACHE_DIR": "relative/dir"})
    assert found.directory == os.path.abspath("relative/dir")


def test_new_config_is_a_valid_configuration(tmp_path: Path) -> None:
    path = settings.new_config(str(tmp_path / "sub" / "config.toml"))
    assert settings.read_config(path) == CacheSettings()


def test_the_default_limits_are_wasmtimes() -> None:
    defaults = CacheSettings()
    assert (defaults.total_size_limit, defaults.file_count_limit) == (512 * MIB, 65536)
    assert (defaults.total_size_percent_if_deleting, defaults.file_count_percent_if_deleting) == (70, 70)


XDG_CASES = {
    "unset": {},
    "absolute": {"XDG_CACHE_HOME": "/x/cache", "XDG_CONFIG_HOME": "/x/config"},
    "relative, ignored": {"XDG_CACHE_HOME": "rel/cache", "XDG_CONFIG_HOME": "rel/config"},
    "empty": {"XDG_CACHE_HOME": "", "XDG_CONFIG_HOME": ""},
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is written out for Linux")
@pytest.mark.parametrize("environment", XDG_CASES.values(), ids=XDG_CASES.keys())
def test_the_user_directories_are_platformdirs(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert settings.user_directory("cache") == platformdirs.user_cache_dir("wasmrun")
    assert settings.user_directory("config") == platformdirs.user_config_dir("wasmrun")


# --- the module's pickle -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", MODULE_FILES, ids=[path.name for path in MODULE_FILES])
def test_a_module_comes_back_whole_from_its_pickle(path: Path) -> None:
    module = load_module(path.read_bytes())
    again = entry.unpickle_module(entry.pickle_module(module), module.raw)
    assert again == module
    assert again.raw is module.raw


@pytest.mark.parametrize("path", MODULE_FILES, ids=[path.name for path in MODULE_FILES])
def test_the_pickle_names_wasmruns_classes_only(path: Path) -> None:
    # (Some CPython 3.11 releases pickle an enum member as ``builtins.getattr(cls, name)``: an entry the
    # unpickler would refuse, so that every run missed the cache.)
    pickled = entry.pickle_module(load_module(path.read_bytes()))
    strings = [argument for _op, argument, _pos in pickletools.genops(pickled) if isinstance(argument, str)]
    modules = {argument for argument in strings if argument.startswith(("wasmrun", "builtins", "copyreg"))}
    assert modules and all(name == "wasmrun" or name.startswith("wasmrun.") for name in modules)


def test_the_pickle_leaves_the_binary_out() -> None:
    module = load_module((EXAMPLES / "hello.wasm").read_bytes())
    assert module.raw not in entry.pickle_module(module)


class _Evil:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.getpid, ())


@pytest.mark.parametrize(
    "payload",
    [pickle.dumps(_Evil()), pickle.dumps(io.BytesIO), pickle.dumps(["not", "a", "module"])],
    ids=["a function of the standard library", "a class of the standard library", "no module"],
)
def test_the_unpickler_builds_nothing_but_a_module_of_wasmruns_classes(payload: bytes) -> None:
    with pytest.raises(entry.EntryError):
        entry.unpickle_module(payload, b"")


# --- the entry format ---------------------------------------------------------------------------------------

HEADER = entry.EntryHeader(entry.ENTRY, "build", "", "cpython-311", "ab" * 32, "features", "code")
PAYLOAD = entry.Payload(b"module", None, {("t", 1): b"code", ("h", ("binop", "i32.add", "rr")): b"factory"})


@pytest.mark.parametrize("secret", [None, b"k" * 32], ids=["sha256", "hmac"])
def test_an_entry_reads_back(secret: bytes | None) -> None:
    header, payload = entry.decode(entry.encode(HEADER, PAYLOAD, secret), secret)
    assert header.valid_for(HEADER)
    assert payload == PAYLOAD


def test_an_entry_read_with_another_secret_is_refused() -> None:
    with pytest.raises(entry.EntryError, match="digest"):
        entry.decode(entry.encode(HEADER, PAYLOAD, b"k" * 32), b"j" * 32)


@pytest.mark.parametrize(
    "data",
    [b"", b"\0asm\1\0\0\0", entry.MAGIC, entry.MAGIC + b"format 2\n" + b"x" * 5000],
    ids=["empty", "a module", "magic alone", "no end of header"],
)
def test_what_is_not_an_entry_is_refused(data: bytes) -> None:
    with pytest.raises(entry.EntryError):
        entry.Entry(entry.Source(data))


def test_a_damaged_item_is_refused_when_it_is_read_and_only_then() -> None:
    data = entry.encode(HEADER, PAYLOAD._replace(items={("t", 1): b"code"}), None)
    found = entry.Entry(entry.Source(data[:-1] + b"X"))  # the last blob: the item
    found.verify(None)
    assert found.module() == b"module"
    with pytest.raises(entry.EntryError, match="digest"):
        found.items()[("t", 1)]


def test_an_entry_is_read_only_where_it_is_used(tmp_path: Path) -> None:
    path = tmp_path / "entry"
    path.write_bytes(entry.encode(HEADER, PAYLOAD._replace(items={("t", n): bytes(1000) for n in range(100)}), None))
    source = entry.Source.from_file(os.open(path, os.O_RDONLY))
    reads: list[int] = []
    read = source.read

    def counting(offset: int, length: int) -> bytes:
        reads.append(length)
        return read(offset, length)

    source.read = counting  # type: ignore[method-assign]
    found = entry.Entry(source)
    found.verify(None)
    assert found.items()[("t", 7)] == bytes(1000)
    source.close()
    assert sum(reads) < 100 * 1000 // 2


def test_a_header_value_must_be_one_ascii_line() -> None:
    with pytest.raises(ValueError):
        entry.encode(HEADER._replace(code="two\nlines"), PAYLOAD, None)


# --- the code store ------------------------------------------------------------------------------------------

LOOP = b"""(module
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $again
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))"""


def _count(store: CodeStore | None, engine: str) -> int:
    module = store.module if store is not None else load_module(LOOP)
    interpreter = Interpreter(engine=engine, compile_threshold=10, code_store=store)
    instance = Linker(Store(interpreter)).instantiate(module)
    result: int = instance.exports["count"](5000)
    return result


@pytest.mark.parametrize("engine", ["interp", "compile", "auto"])
def test_a_store_keeps_what_the_engine_made_and_gives_it_back(engine: str) -> None:
    module = load_module(LOOP)
    made = CodeStore(module)
    assert _count(made, engine) == 5000
    assert made.changed
    again = CodeStore(module, made.items())
    assert _count(again, engine) == 5000
    assert not again.changed
    assert again.items() == made.items()


def test_a_store_serves_only_its_module() -> None:
    store = CodeStore(load_module(LOOP))
    interpreter = Interpreter(code_store=store)
    Linker(Store(interpreter)).instantiate(load_module(LOOP)).exports["count"](3)  # another module object
    assert [item for item in store.items() if item[0] != "h"] == []  # (handler factories serve every module)


@pytest.mark.parametrize("outcome", [INTERPRETED, UNCOMPILABLE])
def test_a_store_keeps_why_a_function_is_not_compiled(outcome: str) -> None:
    store = CodeStore(load_module(LOOP))
    store.add_function_code(0, outcome)
    assert CodeStore(store.module, store.items()).function_code(0) == outcome


def test_an_item_marshal_cannot_write_is_not_kept() -> None:
    store = CodeStore(load_module(LOOP))
    store._put(("t", 0), object())
    assert ("t", 0) not in store.items()
