# ruff: noqa: E501
"""Bad command lines and bad settings: each is one clear line on stderr, exit code 2, never a traceback.

Every invocation runs through the real entry point (``comercio.cli.main``). Placeholders in the argument
lists: ``{tmp}`` a fresh directory, ``{file}`` an existing regular file, ``{dir}`` an existing directory.
The warehouse is the session's one built from the mirror (``built_home``) for read-only commands, an empty
directory for the rest; commands that write only ever write under ``{tmp}``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

import comercio
import comercio.cli as cli

INSTALL = str(Path(comercio.__file__).resolve().parents[1])
W = ["indicators", "compute", "--window", "ytd:2022-11"]
R = ["report", "regional", "--out", "{tmp}/r", "--format", "json"]
S = ["report", "sector", "--out", "{tmp}/s", "--format", "json"]

# (id, argv, environment, a piece of the message) — the warehouse is built_home unless the env says otherwise.
CASES: list[Any] = [
    # usage
    ("unknown-command", ["no-such-command"], {}, "no-such-command"),
    ("diff-no-dataset", ["diff"], {}, "dataset"),
    ("diff-limit-negative", ["diff", "bcrp_departments", "--limit", "-1"], {}, "--limit"),
    ("diff-limit-text", ["diff", "bcrp_departments", "--limit", "abc"], {}, "--limit"),
    ("diff-format", ["diff", "bcrp_departments", "--format", "yaml"], {}, "--format"),
    ("diff-unknown-dataset", ["diff", "no_such_dataset"], {}, "no_such_dataset"),
    ("status-format", ["warehouse", "status", "--format", "yaml"], {}, "--format"),
    ("validate-format", ["validate", "--format", "yaml"], {}, "--format"),
    ("unknown-option", ["warehouse", "status", "--colour"], {}, "--colour"),
    # ingest and fetch
    ("ingest-no-source", ["ingest"], {}, "source"),
    ("ingest-unknown-source", ["ingest", "no-such-source"], {}, "no-such-source"),
    ("ingest-missing-file", ["ingest", "bcrp", "{tmp}/missing.csv"], {}, "missing.csv"),
    ("ingest-directory", ["ingest", "bcrp", "{dir}"], {}, "dir"),
    ("ingest-microdata-missing", ["ingest", "sunat-microdata", "{tmp}/x202101.zip"], {}, "x202101.zip"),
    ("ingest-microdata-directory", ["ingest", "sunat-microdata", "{dir}"], {}, "dir"),
    ("ingest-microdata-no-path", ["ingest", "sunat-microdata"], {}, "sunat-microdata"),
    ("ingest-baci-no-path", ["ingest", "baci"], {}, "baci"),
    ("ingest-quarantine-not-offered", ["ingest", "bcrp", "--quarantine", "{file}"], {}, "--quarantine"),
    ("ingest-unreadable-kind", ["ingest", "bcrp", "{file}"], {}, "notes.txt"),
    ("fetch-unknown-source", ["fetch", "no-such-source"], {}, "no-such-source"),
    ("fetch-not-downloadable", ["fetch", "sunat-microdata"], {}, "sunat-microdata"),
    # reference and facts
    ("reference-unknown", ["reference", "show", "nope"], {}, "nope"),
    ("reference-format", ["reference", "show", "departments", "--format", "yaml"], {}, "--format"),
    ("reference-list-format", ["reference", "list", "--format", "xml"], {}, "--format"),
    ("facts-format", ["facts", "list", "--format", "yaml"], {}, "--format"),
    ("facts-lang", ["facts", "list", "--lang", "fr"], {}, "--lang"),
    ("ingest-second-missing", ["ingest", "bcrp", "{file}", "{tmp}/b.csv"], {}, "b.csv"),
    ("facts-out-under-file", ["facts", "list", "--format", "md", "--out", "{file}/f.md"], {}, "notes.txt"),
    ("facts-out-is-dir", ["facts", "list", "--format", "md", "--out", "{dir}"], {}, "dir"),
    # synthetic twins
    ("synth-no-options", ["synth"], {}, "--rows"),
    ("synth-rows-small", ["synth", "--rows", "10", "--out", "{tmp}/o"], {}, "--rows"),
    ("synth-rows-text", ["synth", "--rows", "abc", "--out", "{tmp}/o"], {}, "--rows"),
    ("synth-format", ["synth", "--rows", "1000", "--out", "{tmp}/o", "--format", "csv"], {}, "--format"),
    ("synth-month-13", ["synth", "--rows", "1000", "--out", "{tmp}/o", "--start", "2021-13"], {}, "2021-13"),
    ("synth-not-a-month", ["synth", "--rows", "1000", "--out", "{tmp}/o", "--start", "nope"], {}, "nope"),
    ("synth-end-before-start",
     ["synth", "--rows", "1000", "--out", "{tmp}/o", "--start", "2022-12", "--end", "2021-01"], {}, "--end"),
    ("synth-out-is-file", ["synth", "--rows", "1000", "--out", "{file}", "--start", "2021-01", "--end", "2021-01"],
     {}, "notes.txt"),
    ("synth-empty-home", ["synth", "--rows", "1000", "--out", "{tmp}/o"], {"home": "empty"}, "comercio build"),
    ("synth-baci-from-negative", ["synth-baci", "--from", "-5", "--out", "{tmp}/b"], {}, "--from"),
    ("synth-baci-to-3000", ["synth-baci", "--to", "3000", "--out", "{tmp}/b"], {}, "--to"),
    ("synth-baci-to-before-from", ["synth-baci", "--from", "2020", "--to", "2010", "--out", "{tmp}/b"], {}, "--to"),
    ("synth-baci-rows-zero", ["synth-baci", "--rows-per-year", "0", "--out", "{tmp}/b"], {}, "--rows-per-year"),
    ("synth-baci-out-is-file", ["synth-baci", "--from", "2020", "--to", "2020", "--rows-per-year", "100",
                                "--out", "{file}"], {}, "notes.txt"),
    # indicators
    ("compute-no-window", ["indicators", "compute"], {}, "--window"),
    ("compute-window-text", ["indicators", "compute", "--window", "nope"], {}, "nope"),
    ("compute-window-2099", ["indicators", "compute", "--window", "ytd:2099-01"], {}, "2099"),
    ("compute-window-month-13", ["indicators", "compute", "--window", "ytd:2022-13"], {}, "2022-13"),
    ("compute-window-year-1", ["indicators", "compute", "--window", "rolling12:0001-01"], {}, "0001"),
    ("compute-basket-unknown", [*W, "--basket", "zzz"], {}, "zzz"),
    ("compute-basket-version", [*W, "--basket", "agro@1999"], {}, "1999"),
    ("compute-flow-unknown", [*W, "--flow", "Z"], {}, "Z"),
    ("compute-grouping-unknown", [*W, "--grouping", "nope"], {}, "nope"),
    ("compute-scheme-unknown", [*W, "--grouping", "macroregion:nope"], {}, "nope"),
    ("compute-scheme-not-applicable", [*W, "--grouping", "department:xyz"], {}, "has no scheme"),
    ("compute-engine-unknown", [*W, "--engine", "nope"], {}, "--engine"),
    ("compute-format-unknown", [*W, "--format", "yaml"], {}, "--format"),
    ("compute-empty-home", W, {"home": "empty"}, "comercio"),
    ("regional-through-2099", ["indicators", "regional", "--through", "2099-01"], {}, "2099"),
    ("regional-through-text", ["indicators", "regional", "--through", "nope"], {}, "nope"),
    ("regional-grouping-unknown", ["indicators", "regional", "--grouping", "nope"], {}, "nope"),
    ("regional-record-definition", ["indicators", "regional", "--record-definition", "nope"], {}, "nope"),
    # reports
    ("report-regional-2099", [*R, "--through", "2099-01"], {}, "2099"),
    ("report-regional-month-13", [*R, "--through", "2022-13"], {}, "2022-13"),
    ("report-regional-lang", [*R, "--lang", "fr"], {}, "--lang"),
    ("report-regional-format", ["report", "regional", "--out", "{tmp}/r", "--format", "docx"], {}, "docx"),
    ("report-regional-grouping", [*R, "--grouping", "nope"], {}, "nope"),
    ("report-regional-out-under-file", ["report", "regional", "--out", "{file}/r", "--format", "json"], {}, "r"),
    ("report-regional-empty-home", R, {"home": "empty"}, "comercio"),
    ("report-sector-2099", [*S, "--through", "2099-01"], {}, "2099"),
    ("report-sector-basket", [*S, "--basket", "zzz"], {}, "zzz"),
    ("report-sector-lang", [*S, "--lang", "fr"], {}, "fr"),
    ("report-sector-format", ["report", "sector", "--out", "{tmp}/s", "--format", "docx"], {}, "docx"),
    ("report-sector-world-from", [*S, "--world-from", "-5"], {}, "--world-from"),
    ("report-sector-world-from-future", [*S, "--world-from", "2999"], {}, "--world-from"),
    ("report-sector-world-to-1900", [*S, "--world-to", "1900"], {}, "--world-to"),
    ("report-sector-world-span-reversed", [*S, "--world-from", "2020", "--world-to", "2010"], {}, "2010"),
    # serve (refused before anything listens)
    ("serve-port-negative", ["serve", "--port", "-1"], {}, "--port"),
    ("serve-port-text", ["serve", "--port", "abc"], {}, "--port"),
    ("serve-port-too-big", ["serve", "--port", "70000"], {}, "--port"),
    ("serve-log-level", ["serve", "--log-level", "nope", "--port", "1"], {}, "--log-level"),
    # settings from the environment
    ("home-is-file-status", ["warehouse", "status"], {"home": "file"}, "COMERCIO_HOME"),
    ("home-is-file-validate", ["validate"], {"home": "file"}, "COMERCIO_HOME"),
    ("home-is-file-ingest", ["ingest", "bcrp", "{file}"], {"home": "file"}, "COMERCIO_HOME"),
    ("home-is-file-diff", ["diff", "bcrp_departments"], {"home": "file"}, "COMERCIO_HOME"),
    ("engine-unknown", ["warehouse", "status"], {"COMERCIO_ENGINE": "nope"}, "nope"),
    ("max-rows-text", ["warehouse", "status"], {"COMERCIO_QUERY_MAX_ROWS": "abc"}, "COMERCIO_QUERY_MAX_ROWS"),
    ("timeout-negative", ["warehouse", "status"], {"COMERCIO_QUERY_TIMEOUT_S": "-1"}, "COMERCIO_QUERY"),
    ("reports-is-file", ["report", "regional", "--format", "json"], {"COMERCIO_REPORTS": "{file}"},
     "COMERCIO_REPORTS"),
]  # fmt: skip


def _fill(text: str, tmp: Path) -> str:
    return (
        text.replace("{tmp}", str(tmp / "t"))
        .replace("{file}", str(tmp / "notes.txt"))
        .replace("{dir}", str(tmp / "dir"))
    )


def _run(argv: list[str]) -> int:
    try:
        cli.main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _param(case: Any) -> Any:
    if hasattr(case, "marks"):  # a pytest.param (with marks) rather than a plain tuple
        return pytest.param(*case.values[1:], id=case.values[0], marks=case.marks)
    return pytest.param(*case[1:], id=case[0])


@pytest.mark.parametrize(("argv", "env", "piece"), [_param(c) for c in CASES])
def test_bad_invocation_is_one_clear_line_with_exit_2(
    argv: list[str],
    env: dict[str, str],
    piece: str,
    built_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "dir").mkdir()
    (tmp_path / "notes.txt").write_text("not a data file\n", encoding="utf-8")
    homes = {"empty": tmp_path / "empty", "file": tmp_path / "notes.txt"}
    monkeypatch.setenv("COMERCIO_HOME", str(homes.get(env.get("home", ""), built_home)))
    monkeypatch.setenv("COMERCIO_REPORTS", str(tmp_path / "t" / "reports"))
    monkeypatch.delenv("COMERCIO_DEBUG", raising=False)
    for name, value in env.items():
        if name != "home":
            monkeypatch.setenv(name, _fill(value, tmp_path))
    monkeypatch.chdir(tmp_path)
    before = sorted(p.relative_to(built_home) for p in built_home.rglob("*") if not p.name.endswith(".lock"))
    code = _run([_fill(a, tmp_path) for a in argv])
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert "Traceback" not in out + err
    assert piece in err, err
    assert INSTALL not in err and "site-packages" not in err
    assert not re.search(rf"\b{os.getpid()}\b", err)
    assert "internal error" not in err
    after = sorted(p.relative_to(built_home) for p in built_home.rglob("*") if not p.name.endswith(".lock"))
    assert after == before  # nothing written into the warehouse


def test_there_are_at_least_66_bad_invocations() -> None:
    assert len(CASES) >= 66
    assert len({_param(c).id for c in CASES}) == len(CASES)


def test_debug_shows_the_traceback_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMERCIO_HOME", str(tmp_path / "home"))
    assert _run(["--debug", "ingest", "bcrp", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith("error: ")
    monkeypatch.setenv("COMERCIO_DEBUG", "1")
    assert _run(["ingest", "bcrp", str(tmp_path / "missing.csv")]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_an_unexpected_exception_is_one_line_asking_to_report_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from comercio import reference

    def boom(name: str) -> None:
        raise KeyError(f"{INSTALL}/comercio/reference/x.csv pid 4242")

    monkeypatch.setattr(reference, "load", boom)
    monkeypatch.delenv("COMERCIO_DEBUG", raising=False)
    assert _run(["reference", "show", "departments"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: internal error (KeyError")
    assert "please report" in err and "--debug" in err
    assert INSTALL not in err and "4242" not in err and "Traceback" not in err
