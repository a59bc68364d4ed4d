"""Option values of ``wasmrun run`` (wasmrun/cli/config.py)."""

from __future__ import annotations

import pytest

from wasmrun.cli.config import (
    ConfigError,
    DirMapping,
    EngineOptions,
    RunConfig,
    merge_alias,
    parse_aliases,
    parse_count,
    parse_dir,
    parse_duration,
    parse_env,
    parse_size,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("2s", 2.0),
        ("1m", 60.0),
        ("1h", 3600.0),
        ("1.5s", 1.5),
        ("3", 3.0),
        ("250us", 250e-6),
        ("10ns", 1e-8),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "1x", "-1s", "0", "0ms", "1 s s"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("0", 0),
        ("65536", 65536),
        ("64K", 65536),
        ("64KiB", 65536),
        ("64kb", 65536),
        ("2M", 2 << 20),
        ("4G", 4 << 30),
        ("1T", 1 << 40),
        ("7b", 7),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "-1", "1.5G", "4Q", "4 GiBs"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_size(text)


@pytest.mark.parametrize(
    ("text", "mapping"),
    [(".", DirMapping(".", ".")), ("/a::/b", DirMapping("/a", "/b")), ("a::b::c", DirMapping("a", "b::c"))],
)
def test_parse_dir(text: str, mapping: DirMapping) -> None:
    assert parse_dir(text) == mapping


@pytest.mark.parametrize("text", ["", "::b", "a::"])
def test_parse_dir_rejects(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_dir(text)


@pytest.mark.parametrize(
    ("text", "entry"), [("K=V", ("K", "V")), ("K=", ("K", "")), ("K", ("K", None)), ("K=a=b", ("K", "a=b"))]
)
def test_parse_env(text: str, entry: tuple[str, str | None]) -> None:
    assert parse_env(text) == entry


def test_parse_env_rejects_an_empty_name() -> None:
    with pytest.raises(ConfigError):
        parse_env("=V")


@pytest.mark.parametrize(("text", "minimum", "number"), [("0", 0, 0), ("12", 1, 12), (" 7 ", 0, 7)])
def test_parse_count(text: str, minimum: int, number: int) -> None:
    assert parse_count(text, minimum) == number


@pytest.mark.parametrize(("text", "minimum"), [("x", 0), ("-1", 0), ("0", 1), ("1.0", 0), ("", 0)])
def test_parse_count_rejects(text: str, minimum: int) -> None:
    with pytest.raises(ConfigError):
        parse_count(text, minimum)


@pytest.mark.parametrize(
    ("flag", "settings", "fields"),
    [
        ("-W", ["fuel=10"], {"fuel": 10}),
        ("-W", ["fuel=10,timeout=2s"], {"fuel": 10, "timeout": 2.0}),
        ("-W", ["fuel=1", "fuel=2"], {"fuel": 2}),  # later wins
        ("-W", ["max-memory-size=65536"], {"max_memory": 65536}),
        ("-S", ["inherit-env"], {"inherit_env": True}),
        ("-S", ["inherit-env=n"], {"inherit_env": False}),
        ("-D", ["max-backtrace=3"], {"max_backtrace": 3}),
        ("-W", ["fuel=1_000"], {"fuel": 1000}),  # Wasmtime's number syntax: `_` ignored, 0x
        ("-W", ["fuel=0x10"], {"fuel": 16}),
        ("-W", ["timeout=1m"], {"timeout": 60.0}),  # wasmrun's durations too
        ("-W", ["max-memory-size=64KiB"], {"max_memory": 65536}),
        ("-W", ["simd=n,epoch-interruption"], {}),  # proposals: split_proposal_switches's; ignored keys: nothing
        ("-W", ["max-tables=3"], {"max_tables": 3}),
        ("-S", ["inherit-stdin=n"], {"stdin": None}),
        ("-S", ["inherit-stdout"], {"stdout": 1}),
        ("-S", ["cli,tcp=n,inherit-network"], {}),
        ("-O", ["opt-level=s"], {}),
        ("-C", ["cranelift-opt_level=none"], {}),
    ],
)
def test_parse_aliases(flag: str, settings: list[str], fields: dict[str, object]) -> None:
    assert {name: value for name, (value, _) in parse_aliases(flag, settings).items()} == fields


@pytest.mark.parametrize(
    ("flag", "setting"),
    [
        ("-W", "bogus=y"),
        ("-W", "nan-canonicalization=y"),
        ("-W", "fuel"),
        ("-W", "fuel=-1"),
        ("-S", "inherit-env=maybe"),
        ("-D", "max-backtrace"),
        ("-S", "fuel=1"),
    ],
)
def test_parse_aliases_rejects(flag: str, setting: str) -> None:
    with pytest.raises(ConfigError):
        parse_aliases(flag, [setting])


def test_merge_alias() -> None:
    aliases = parse_aliases("-W", ["fuel=10"])
    assert merge_alias("fuel", None, aliases) == 10
    assert merge_alias("fuel", 10, aliases) == 10
    assert merge_alias("timeout", 2.0, aliases) == 2.0
    with pytest.raises(ConfigError, match="--fuel and -W fuel"):
        merge_alias("fuel", 11, aliases)


def run_config(argv: list[str]) -> RunConfig:
    from wasmrun.cli.main import parse_command_line

    invocation = parse_command_line(argv)
    assert invocation.run is not None
    return invocation.run


def test_argv() -> None:
    assert run_config(["a/b/app.wasm", "x", "y"]).argv == ("app.wasm", "x", "y")
    assert run_config(["--argv0", "prog", "app.wasm"]).argv == ("prog",)
    assert run_config(["app.wasm", "--", "x"]).argv == ("app.wasm", "x")  # one `--` right after the module
    assert run_config(["app.wasm", "--", "--"]).argv == ("app.wasm", "--")


def test_guest_environment() -> None:
    host = {"A": "1", "B": "2"}
    assert RunConfig(module="m").guest_environment(host) == {}
    assert RunConfig(module="m", inherit_env=True).guest_environment(host) == host
    assert RunConfig(module="m", env=(("A", None), ("C", None), ("D", "4"))).guest_environment(host) == {
        "A": "1",
        "D": "4",
    }
    assert RunConfig(module="m", inherit_env=True, env=(("A", "x"),)).guest_environment(host) == {"A": "x", "B": "2"}


# --- the one record: each `run` parameter sets the field of its name ------------------------------------


def parameters(**given: object) -> dict[str, object]:
    """``run``'s parameters as click gives them when only ``given`` are on the command line."""
    from wasmrun.cli.main import cli

    made = cli.commands["run"].make_context("run", ["app.wasm"]).params
    return {**made, **given}


def test_a_parameter_sets_the_field_of_its_name() -> None:
    from wasmrun.cli.main import build_run_config

    config = build_run_config(parameters(invoke="f", fuel=5, max_stack_depth=9, engine="compile"), {})
    assert (config.invoke, config.module, config.argv) == ("f", "app.wasm", ("app.wasm",))
    assert config.engine_options == EngineOptions(engine="compile", fuel=5, max_stack_depth=9)


def test_a_parameter_not_given_leaves_the_records_default() -> None:
    from wasmrun.cli.main import build_run_config

    config = build_run_config(parameters(max_memory=None, max_backtrace=None), {})
    assert (config.max_memory, config.max_backtrace) == (RunConfig().max_memory, RunConfig().max_backtrace)


def test_a_parameter_without_a_field_is_a_programming_error() -> None:
    from wasmrun.cli.main import build_run_config

    with pytest.raises(TypeError, match="'frobnicate' is no field"):
        build_run_config(parameters(frobnicate=1), {})


def test_the_statistics_are_counted_when_printed_or_reported() -> None:
    from wasmrun.cli.main import build_run_config

    assert not build_run_config(parameters(), {}).engine_options.stats
    assert build_run_config(parameters(stats=True), {}).engine_options.stats
    assert build_run_config(parameters(json_report="-"), {}).engine_options.stats
