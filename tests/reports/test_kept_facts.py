"""The regional report's facts kept between runs (decision 0021, third addendum): read back only under the
same catalog, code and options; the same files kept or computed; a run from kept facts opens no warehouse
and imports no engine."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from comercio.config import Settings
from comercio.indicators import regional as indicators_regional
from comercio.reports import kept
from comercio.reports.regional import write_regional

THROUGH = "2022-11"


def _write(settings: Settings, out: Path, formats: str = "json,md,xlsx") -> dict[str, Any]:
    write_regional(settings, through=THROUGH, formats=formats, out=out)
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _kept_file(settings: Settings) -> Path:
    found = kept.kept(
        settings,
        "regional",
        {"through": THROUGH, "grouping": "mincetur", "record_definition": "annual", "engine": "duckdb"},
    )
    assert found is not None
    return found.path


def _no_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the facts were computed")

    monkeypatch.setattr(indicators_regional, "regional_facts", refuse)


def _cells(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    return [[c.value for c in row] for ws in load_workbook(path).worksheets for row in ws.iter_rows()]


def test_kept_facts_are_read_back_and_write_the_same_files(
    built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=built_home)
    kept.forget(settings)
    computed = _write(settings, tmp_path / "a")
    assert _kept_file(settings).is_file()
    _no_computing(monkeypatch)
    assert _write(settings, tmp_path / "b") == computed
    for name in ("report.json", "report.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert _cells(tmp_path / "a" / "report.xlsx") == _cells(tmp_path / "b" / "report.xlsx")
    assert kept.forget(settings) == 1 and not _kept_file(settings).exists()


def test_another_catalog_code_or_option_computes_again(
    built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=built_home)
    kept.forget(settings)
    computed = _write(settings, tmp_path / "a", "json")
    path = _kept_file(settings)
    with path.open("rb") as fh:
        key, payload = pickle.load(fh), pickle.load(fh)
    payload["facts"].omitted["leaders"] = "marked"  # read back, not computed
    path.write_bytes(pickle.dumps(key) + pickle.dumps(payload))
    assert _write(settings, tmp_path / "b", "json")["omitted_reasons"]["leaders"] == "marked"
    for change in (
        lambda: monkeypatch.setattr(kept, "catalog_stamp", lambda s: ((1, 2, 3),) * 3),  # a load committed
        lambda: monkeypatch.setattr(kept, "code_digest", lambda: "other code"),
    ):
        path.write_bytes(pickle.dumps(key) + pickle.dumps(payload))
        change()
        again = _write(settings, tmp_path / "c", "json")  # computed again (sums may differ in the last bits)
        assert again["omitted_reasons"] == computed["omitted_reasons"]  # the marked reason is gone
    monkeypatch.undo()
    path.write_bytes(pickle.dumps(key) + pickle.dumps(payload))
    write_regional(settings, through=THROUGH, formats="json", out=tmp_path / "d", grouping="adex")
    assert "marked" not in (tmp_path / "d" / "report.json").read_text(encoding="utf-8")  # other options
    path.write_bytes(pickle.dumps("another key") + pickle.dumps(payload))  # another key: not served
    assert _write(settings, tmp_path / "f", "json")["omitted_reasons"] == computed["omitted_reasons"]
    path.write_bytes(b"not a pickle")
    again = _write(settings, tmp_path / "e", "json")  # a damaged file: computed again
    assert again["omitted_reasons"] == computed["omitted_reasons"]
    kept.forget(settings)


def test_a_spreadsheet_after_json_alone_computes_its_monthly_table(
    built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=built_home)
    kept.forget(settings)
    _write(settings, tmp_path / "a", "json")
    _write(settings, tmp_path / "b", "json,xlsx")  # the monthly cells were not kept: computed, then kept
    _no_computing(monkeypatch)
    _write(settings, tmp_path / "c", "json,xlsx")
    assert _cells(tmp_path / "b" / "report.xlsx") == _cells(tmp_path / "c" / "report.xlsx")
    kept.forget(settings)


def test_a_run_from_kept_facts_imports_no_engine(built_home: Path, tmp_path: Path) -> None:
    code = (
        "import sys; from comercio.cli import main; main(sys.argv[1:]); "
        "print(sorted(m for m in ('ibis', 'duckdb', 'comercio.warehouse', 'comercio.indicators.engine') "
        "if m in sys.modules))"
    )
    args = ["report", "regional", "--through", THROUGH, "--format", "json,md", "--out", str(tmp_path / "r")]
    env = dict(os.environ, COMERCIO_HOME=str(built_home), TMPDIR=str(tmp_path))  # its own kept files
    env.pop("COMERCIO_ENGINE", None)
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True
        )
        for _ in range(2)
    ]
    assert "'ibis'" in runs[0].stdout.strip().splitlines()[-1]  # computed
    assert runs[1].stdout.strip().splitlines()[-1] == "[]"  # kept
    assert list(tmp_path.glob("comercio-*/facts-*.pickle"))
