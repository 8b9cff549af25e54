"""The ingest bench part at a tiny size: every stage runs in its own process and reports what it measured.

No time is asserted (machines are noisy): the stages must run, agree on the lines they saw and render.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from comercio.bench import _ingest
from comercio.synth._dbfwrite import layout, write_dbf_zip

DAY = (dt.date(2025, 10, 6) - dt.date(1970, 1, 1)).days
EXPORT = layout(
    [("CADU", "N", 3, 0), ("FANO", "N", 4, 0), ("NDCL", "N", 6, 0), ("NSER", "N", 4, 0), ("FNUM", "D", 8, 0),
     ("PART_NANDI", "N", 10, 0), ("CPAIDES", "C", 2, 0), ("VFOBSERDOL", "N", 15, 2)]
)  # fmt: skip
IMPORT = layout(
    [("CODI_ADUAN", "N", 3, 0), ("ANO_PRESE", "N", 4, 0), ("NUME_CORRE", "N", 6, 0),
     ("NUME_SERIE", "N", 4, 0), ("FECH_INGSI", "D", 8, 0), ("PART_NANDI", "N", 10, 0),
     ("PAIS_ORIGE", "C", 2, 0), ("FOB_DOLPOL", "N", 14, 2), ("FLE_DOLAR", "N", 14, 2)]
)  # fmt: skip


def files(tmp_path: Path) -> list[str]:
    n = 50
    x = {
        "CADU": [118] * n, "FANO": [2025] * n, "NDCL": list(range(1, n + 1)), "NSER": [1] * n,
        "FNUM": [DAY] * n, "PART_NANDI": [806100000] * n, "CPAIDES": ["US"] * n, "VFOBSERDOL": [10.5] * n,
    }  # fmt: skip
    m = {
        "CODI_ADUAN": [235] * n, "ANO_PRESE": [2025] * n, "NUME_CORRE": list(range(1, n + 1)),
        "NUME_SERIE": [2] * n, "FECH_INGSI": [DAY] * n, "PART_NANDI": [8703239020] * n,
        "PAIS_ORIGE": ["CN"] * n, "FOB_DOLPOL": [100.0] * n, "FLE_DOLAR": [5.25] * n,
    }  # fmt: skip
    out = [
        write_dbf_zip(tmp_path / "x06121025.zip", "x06121025.dbf", EXPORT, n, [x]),
        write_dbf_zip(tmp_path / "ma06121025.zip", "ma06121025.dbf", IMPORT, n, [m]),
    ]
    return [str(p) for p in out]


def test_every_stage_runs_in_its_own_process(tmp_path: Path) -> None:
    names = files(tmp_path)
    records = sum(_ingest._records(Path(f)) for f in names)
    assert records == 100
    result = _ingest.measure(names, records, tmp_path / "out", tmp_path / "jobs", repeats=1)
    stages = result["stages"]
    assert list(stages) == list(_ingest.STAGES)
    for stage in stages.values():
        assert stage["median_s"] > 0 and stage["peak_rss_mib"] > 0 and stage["cpu_s"] >= 0
        assert stage["lines_per_s"] > 0 and stage["vs_limit"] > 0
    inflated = stages["inflate_1p"]["value"]
    assert inflated == stages["inflate_2p"]["value"] > 100 * 40  # every record inflated, on 1 or 2 processes
    assert stages["reader"]["value"] == stages["reader_parquet"]["value"] == stages["ingest"]["value"] == 100
    assert sorted(p.name for p in (tmp_path / "out" / "parquet").iterdir()) == [
        "ma06121025.parquet",
        "x06121025.parquet",
    ]


def test_targets_and_render() -> None:
    stage = {"median_s": 0.5, "cpu_s": 0.4, "lines_per_s": 2_000_000, "vs_limit": 1.2, "peak_rss_mib": 90}
    flow = {
        "records": 10**6,
        "files": 100,
        "zip_bytes": 40 * 2**20,
        "stages": dict.fromkeys(_ingest.STAGES, stage),
    }
    section = {"rows": 10**6, "weeks": "2024-01-01:2025-11-30", "repeats": 3, "flows": {"X": flow, "M": flow}}
    rows = _ingest.targets(section)
    assert [r["status"] for r in rows] == ["pass", "pass", "pass"]
    assert [r["kind"] for r in rows] == ["min", "max", "max"]
    lines = _ingest.render(section)
    assert lines[0].startswith("### ") and sum(line.startswith("| exports") for line in lines) == 5
    assert any("2 000 000" in line for line in lines)
    assert _ingest.targets({"flows": {}}) == []
