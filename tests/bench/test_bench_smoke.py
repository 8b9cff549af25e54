"""A tiny real run of ``python -m comercio.bench`` (20 000 lines): every system present, same figures.

Times are never asserted (they depend on the machine); what must hold is that each system ran in its own
process, reported a peak memory, and computed exactly the same headline figures as the others.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comercio.bench import agreement, main, render, update_docs
from comercio.bench._regional import HEADLINE

ROWS = 20_000


def _run(tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch, systems: str, baci: str) -> dict:
    monkeypatch.setenv("COMERCIO_SHARED_DATA", str(shared_data))
    docs = tmp_path / "benchmarks.md"
    docs.write_text(
        "# Benchmarks\n\nHand-written intro.\n\n## API load test\n\nkept as is\n", encoding="utf-8"
    )
    argv = [
        f"--sizes={ROWS}", f"--ingest-rows={ROWS}", f"--baci-rows={ROWS}", "--repeats=1",
        f"--systems={systems}", f"--baci-systems={baci}", f"--work={tmp_path / 'work'}",
        f"--results={tmp_path / 'results'}", f"--docs={docs}",
    ]  # fmt: skip
    assert main(argv) == 0
    stamped = [p for p in (tmp_path / "results").glob("*.json") if p.name != "latest.json"]
    assert len(stamped) == 1
    doc: dict = json.loads((tmp_path / "results" / "latest.json").read_text(encoding="utf-8"))
    text = docs.read_text(encoding="utf-8")
    assert "Hand-written intro." in text and "kept as is" in text
    assert text.count("<!-- bench:start -->") == 1 and text.count("<!-- bench:end -->") == 1
    assert "## Targets" in text
    return doc


def _check(doc: dict, systems: list[str], baci: list[str]) -> None:
    (entry,) = doc["regional"]
    assert entry["rows"] == ROWS
    assert sorted(entry["systems"]) == sorted(systems)
    for name in systems:
        r = entry["systems"][name]
        assert "error" not in r, r.get("error")
        assert r["peak_rss_mib"] > 0 and r["median_s"] > 0
        assert set(r["figures"]) == set(HEADLINE)
    assert entry["agree"] is True, entry["disagreements"]
    first = entry["systems"][systems[0]]["figures"]
    assert first["national.value"] > first["interior.value"] > 0
    assert isinstance(first["rolling12.leader.member"], str)
    assert doc["ingest"]["lines"] == ROWS and doc["ingest"]["lines_per_s"] > 0
    assert sorted(doc["baci"]["systems"]) == sorted(baci)
    assert doc["baci"]["agree"] is True
    cells = [tuple(c) for c in doc["baci"]["systems"][baci[0]]["cells"]]
    assert {c[0] for c in cells} <= {"Asia", "Europe", "America", "Other"}
    assert {c[1] for c in cells} == set(range(2001, 2025))
    assert [t["status"] for t in doc["targets"]]


def test_bench_smoke_duckdb_and_pandas(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    systems = ["comercio-duckdb", "duckdb-sql", "pandas"]
    doc = _run(tmp_path, shared_data, monkeypatch, ",".join(systems), "duckdb,pandas")
    _check(doc, systems, ["duckdb", "pandas"])


@pytest.mark.slow
@pytest.mark.spark
def test_bench_smoke_every_system(tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    systems = ["comercio-duckdb", "duckdb-sql", "pandas", "comercio-spark"]
    doc = _run(tmp_path, shared_data, monkeypatch, ",".join(systems), "duckdb,spark,pandas")
    _check(doc, systems, ["duckdb", "spark", "pandas"])


def test_agreement_reports_a_differing_figure() -> None:
    base = dict.fromkeys(HEADLINE, 1.0) | {"rolling12.leader.member": "04"}
    other = base | {"interior.value": 1.0 + 1e-3}
    ok, diffs = agreement({"a": {"figures": base}, "b": {"figures": base | {"interior.value": 1.0 + 1e-9}}})
    assert ok and diffs == []
    ok, diffs = agreement({"a": {"figures": base}, "b": {"figures": other}})
    assert not ok and diffs[0].startswith("interior.value")


def test_update_docs_replaces_only_the_marked_section(tmp_path: Path) -> None:
    path = tmp_path / "b.md"
    path.write_text(
        "intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\n## API load test\nx\n", encoding="utf-8"
    )
    update_docs(path, render({"regional": [], "targets": []}))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("intro\n<!-- bench:start -->\n") and text.endswith(
        "<!-- bench:end -->\n## API load test\nx\n"
    )
    assert "old" not in text and "### Regional indicator set" in text
