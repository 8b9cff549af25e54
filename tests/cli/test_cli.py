"""The `comercio` command line: errors printed plainly with exit code 2, exit codes kept, commands' output."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

import comercio.cli as cli
from comercio.errors import ParseError


def _leaves(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Paths of every runnable command (Typer >= 0.29 builds them on its own vendored click: duck typing)."""
    for name, cmd in sorted(group.commands.items()):
        if hasattr(cmd, "commands"):
            yield from _leaves(cmd, (*prefix, name))
        else:
            yield (*prefix, name)


COMMANDS = list(_leaves(typer.main.get_command(cli.app)))


def _exit_code(argv: list[str]) -> int:
    try:
        cli.main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_an_error_inside_any_command_is_one_plain_line(
    path: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    group: Any = typer.main.get_command(cli.app)
    cmd = group
    for name in path:
        cmd = cmd.commands[name]

    def boom() -> None:
        raise ParseError("text 'n.d. [1/]' in a number cell", file="cuadros/cdro_G1.xlsx", row=12, column="F")

    cmd.callback, cmd.params = boom, []
    monkeypatch.setattr(
        cli,
        "app",
        lambda args, standalone_mode: group.main(args, "comercio", standalone_mode=standalone_mode),
    )
    assert _exit_code(list(path)) == 2
    captured = capsys.readouterr()
    assert (
        captured.err == "error: cuadros/cdro_G1.xlsx, row 12, column 'F': text 'n.d. [1/]' in a number cell\n"
    )
    assert "Traceback" not in captured.out + captured.err


def test_the_command_tree_is_walked() -> None:
    assert {("ingest",), ("build",), ("validate",), ("diff",), ("fetch",)} <= set(COMMANDS)
    assert {("reference", "list"), ("reference", "show"), ("warehouse", "status")} <= set(COMMANDS)


def test_real_errors_exit_1_with_their_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMERCIO_HOME", str(tmp_path / "empty"))
    cases = {
        ("reference", "show", "nope"): "error: field 'name': unknown reference table 'nope'",
        ("ingest", "no-such-source"): "error: unknown source 'no-such-source'",
        ("diff", "bcrp_departments"): "error: dataset 'bcrp_departments' has no vintages",
        ("ingest", "bcrp", str(tmp_path / "missing.csv")): "missing.csv",
        ("ingest", "baci"): "error: field 'paths': baci is not downloaded",
        ("fetch", "sunat-microdata"): "error: --from is required the first time",
    }
    for argv, start in cases.items():
        assert _exit_code(list(argv)) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and start in err and err.count("\n") == 1, (argv, err)
        assert "Traceback" not in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["diff"]) == 2
    assert _exit_code(["no-such-command"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["--help"]) == 0
    assert "validate" in capsys.readouterr().out


def test_reference_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["reference", "list", "--format", "json"]) == 0
    tables = json.loads(capsys.readouterr().out)
    assert "departments" in {t["name"] for t in tables}
    assert all(t["title"] and t["source"] and t["rows"] > 0 for t in tables)

    assert _exit_code(["reference", "show", "departments", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == next(t["rows"] for t in tables if t["name"] == "departments")
    assert {"ubigeo": "15", "bcrp_name": "Lima"}.items() <= next(
        r for r in rows if r["ubigeo"] == "15"
    ).items()

    assert _exit_code(["reference", "show", "departments", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ubigeo,") and len(lines) == len(rows) + 1


def test_build_again_prints_each_source_and_changes_nothing(
    built_home: Path,
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    monkeypatch.setenv("COMERCIO_HOME", str(home))
    monkeypatch.setenv("COMERCIO_MIRROR", str(shared_data))
    assert _exit_code(["build"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich may wrap long lines at the terminal width
    for source in ("[reference] ", "[bcrp] ", "[sunat-cuadros] ", "[sunat-declarations] "):
        assert source in out, source  # printed as text, not swallowed as markup
    assert "loaded as new vintage" not in out
    assert "bcrp_departments/departments: unchanged (vintage 1 already holds it) — 5,616 rows" in out


def test_facts_list_prints_the_catalogue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from comercio.cli._facts import document
    from comercio.indicators.facts import catalogue

    assert _exit_code(["facts", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["family"] for r in rows] == list(catalogue())
    growth = next(r for r in rows if r["family"] == "region.{department}.growth")
    assert growth["kind"] == "growth" and growth["unit"] == "fraction" and growth["member"] == "department"
    assert growth["parts"] == {"department": r"\d{2}"} and set(growth["label"]) == {"es", "en"}

    assert _exit_code(["facts", "list", "--format", "md", "--lang", "es"]) == 0
    assert capsys.readouterr().out == document("es")

    assert _exit_code(["facts", "list", "--lang", "es"]) == 0
    text = capsys.readouterr().out
    head = "region.{department}.growth  [growth · fraction · department]"
    assert f"{head}\n    {growth['label']['es']}\n" in text
    assert text.count("\n\n") == len(rows) - 1  # one block per family

    out = tmp_path / "docs" / "facts.md"
    assert _exit_code(["facts", "list", "--format", "md", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == document("en")
    assert capsys.readouterr().out == ""

    assert _exit_code(["facts", "list", "--format", "yaml"]) == 2


def test_indicators_regional_and_compute(
    built_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMERCIO_HOME", str(built_home))
    assert _exit_code(["indicators", "regional", "--through", "2022-11", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["through"] == "2022-11-01" and doc["engine"] == "duckdb"
    interior = next(f for f in doc["facts"] if f["id"] == "interior.growth")
    assert interior["family"] == "{region_group}.growth" and interior["parts"] == {"region_group": "interior"}
    assert f"{interior['value']:.5f}" == "-0.00387" and interior["dataset"] == "bcrp_departments"

    argv = ["indicators", "compute", "--window", "ytd:2022-11", "--grouping", "macroregion:mincetur"]
    assert _exit_code([*argv, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["member"] for r in rows} == {"norte", "centro", "sur", "oriente"}  # Mincetur: the interior only
    assert 0 < sum(r["share"] for r in rows) < 1


def test_help_imports_neither_the_engine_nor_the_readers() -> None:
    """``comercio --help`` loads the command modules only: the warehouse (Ibis, DuckDB), Arrow, the readers
    and the downloader are imported inside the commands that use them."""
    import subprocess
    import sys

    code = (
        "import sys; from comercio.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('ibis', 'duckdb', 'pyarrow', 'httpx', 'comercio.warehouse', 'comercio.ingest',"
        " 'comercio.sources.bcrp') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out, out
