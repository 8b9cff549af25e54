"""The load generator: percentiles, the docs section it rewrites, and a short real run on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comercio.api import loadtest


def test_percentiles_and_summary() -> None:
    samples = [("api", float(ms), True) for ms in range(1, 101)] + [("page", 500.0, False)]
    s = loadtest.summarise(samples, elapsed=10.0)
    assert s["api"]["p50_ms"] == 50.0 and s["api"]["p95_ms"] == 95.0 and s["api"]["errors"] == 0
    assert s["all"]["requests"] == 101 and s["all"]["errors"] == 1 and s["all"]["requests_per_s"] == 10.1


def test_write_results_replaces_only_its_section(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "benchmarks.md"
    doc.parent.mkdir()
    doc.write_text("# Benchmarks\n\n## Engines\nkeep me\n\n## API load test\nold\n\n## Later\nkeep too\n")
    summary = loadtest.summarise([("api", 5.0, True)], 1.0)
    result = {"duration_s": 1.0, "users": 1, "machine": "test", "summary": summary, "target_met": True,
              "finished_at": "now"}  # fmt: skip
    loadtest.write_results(result, tmp_path)
    text = doc.read_text()
    assert "keep me" in text and "keep too" in text and "old" not in text
    assert text.count("## API load test") == 1
    assert json.loads((tmp_path / "bench/results/api_load.json").read_text())["users"] == 1


@pytest.mark.slow
def test_short_run_on_loopback(built_home: Path, shared_data: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COMERCIO_HOME", str(built_home))
    monkeypatch.setenv("COMERCIO_MIRROR", str(shared_data))
    code = loadtest.main(["--duration", "3", "--users", "5", "--root", str(tmp_path)])
    result = json.loads((tmp_path / "bench/results/api_load.json").read_text())
    assert result["summary"]["all"]["errors"] == 0 and result["summary"]["all"]["requests"] > 10
    assert code == (0 if result["target_met"] else 1)
