"""`comercio check`: options refused in one line naming the option, and a text checked against the warehouse
built from the mirror, written in every format."""

from __future__ import annotations

import io
import json
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from openpyxl import load_workbook

import comercio.cli as cli

TEXT = (
    "En 2022, las exportaciones de Cajamarca sumaron US$ 2 500 millones y crecieron 12 %.\n\n"
    "Entre enero y noviembre de 2025, las exportaciones de Puno alcanzaron los US$ 1 000 millones."
)


def _run(argv: list[str]) -> int:
    try:
        cli.main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "fr"], "error: --lang must be one of es, en, got 'fr'"),
        (["--published", "2025-13-01"], "error: --published must be a date YYYY-MM-DD, got '2025-13-01'"),
        (["--published", "26/01/2026"], "error: --published must be a date YYYY-MM-DD, got '26/01/2026'"),
        (["--format", "md,pdf"], "error: --format: unknown format 'pdf'; use some of md, html, json, xlsx"),
        (["--format", ","], "error: --format: no format given; use some of md, html, json, xlsx"),
    ],
)
def test_a_bad_option_exits_2_with_one_line_naming_it(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "nota.txt"
    text.write_text(TEXT, encoding="utf-8")
    assert _run(["check", str(text), *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == message + "\n"
    assert not (tmp_path / "out").exists()  # nothing read, nothing written


def test_a_missing_file_is_named_without_its_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["check", str(tmp_path / "falta.txt")]) == 2
    assert capsys.readouterr().err == "error: falta.txt: no such file\n"


@pytest.fixture
def home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The warehouse built from the mirror, with reports going to a scratch directory."""
    monkeypatch.setenv("COMERCIO_HOME", str(built_home))
    monkeypatch.setenv("COMERCIO_REPORTS", str(tmp_path / "reports"))
    return tmp_path


def test_check_writes_every_format_and_prints_the_counts(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = home / "nota de prensa.txt"
    text.write_text(TEXT, encoding="utf-8")
    assert _run(["check", str(text), "--published", "2026-01-10"]) == 0
    out = capsys.readouterr().out.splitlines()
    target = home / "reports" / "check" / "nota de prensa"
    assert out[1:] == [str(target / f"check.{ext}") for ext in ("md", "html", "json", "xlsx")]
    data = json.loads((target / "check.json").read_text("utf-8"))
    counts = data["counts"]
    assert out[0].startswith(f"{sum(counts.values())} figures in nota de prensa.txt (")
    assert ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()) in out[0]
    assert data["source"] == "nota de prensa.txt" and data["published"] == "2026-01-10"
    # Every number of the text is a claim or a skipped number, and no two overlap.
    spans = sorted(tuple(c["span"]) for c in (*data["claims"], *data["skipped"]))
    for printed in ("US$ 2 500 millones", "12 %", "US$ 1 000 millones"):
        start = TEXT.index(printed)
        assert any(s <= start < e for s, e in spans), printed
    assert all(a[1] <= b[0] for a, b in pairwise(spans))
    # The 2025 figure is past the regional data (BCRP departments end in 2022).
    puno = next(c for c in data["claims"] if c["printed"] == "US$ 1 000 millones")
    assert puno["verdict"] == "not_checkable" and "2022" in puno["reason"]
    book = load_workbook(target / "check.xlsx")
    assert book.sheetnames == ["Cifras", "No verificadas", "Acerca de"]
    assert book["Cifras"].max_row == len(data["claims"]) + 1
    html = (target / "check.html").read_text("utf-8")
    assert html.count('class="ck-mark ') == len(data["claims"]) + len(data["skipped"])
    assert "Verificación de cifras: nota de prensa.txt" in (target / "check.md").read_text("utf-8")


def test_check_reads_stdin_in_english_into_the_directory_asked(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    english = "In 2022, Cajamarca's exports grew 12% to US$ 2,500 million."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(english.encode("utf-8"))))
    out_dir = home / "mine"
    assert _run(["check", "-", "--lang", "en", "--format", "md,json", "--out", str(out_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert " figures in stdin (" in lines[0]
    assert lines[1:] == [str(out_dir / "check.md"), str(out_dir / "check.json")]
    data = json.loads((out_dir / "check.json").read_text("utf-8"))
    assert data["lang"] == "en" and data["source"] == "stdin" and data["published"] is None
    assert (out_dir / "check.md").read_text("utf-8").startswith("# Figure check: standard input\n")
