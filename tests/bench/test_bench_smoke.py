"""A tiny real run of ``python -m comercio.bench --quick`` (20 000 lines): every part runs or says why not.

Times are never asserted (they depend on the machine); what must hold is that every part present ran and
rendered its section, each system ran in its own process and reported a peak memory, the systems computed
the same figures, and a part that is missing or fails is reported as such while the others still run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from comercio.bench import PARTS, BenchConfig, main, render, run_suite, update_docs
from comercio.bench._cli import config_from
from comercio.bench._regional import HEADLINE
from comercio.bench._regional_part import agreement
from comercio.bench._run import run_job
from comercio.bench._suite import _message, _target, load_part
from comercio.errors import ComercioError

ROWS = 20_000


def _run(tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch, systems: str, baci: str) -> dict:
    monkeypatch.setenv("COMERCIO_SHARED_DATA", str(shared_data))
    docs = tmp_path / "benchmarks.md"
    docs.write_text(
        "# Benchmarks\n\nHand-written intro.\n\n## API load test\n\nkept as is\n", encoding="utf-8"
    )
    argv = [
        "--quick", f"--sizes={ROWS}", f"--ingest-rows={ROWS}", f"--baci-rows={ROWS}",
        f"--append-sizes={ROWS // 2},{ROWS}", "--repeats=1", f"--systems={systems}", f"--baci-systems={baci}",
        f"--work={tmp_path / 'work'}", f"--results={tmp_path / 'results'}", f"--docs={docs}",
    ]  # fmt: skip
    assert main(argv) == 0
    stamped = [p for p in (tmp_path / "results").glob("*.json") if p.name != "latest.json"]
    assert len(stamped) == 1
    doc: dict = json.loads((tmp_path / "results" / "latest.json").read_text(encoding="utf-8"))
    text = docs.read_text(encoding="utf-8")
    assert "Hand-written intro." in text and "kept as is" in text
    assert text.count("<!-- bench:start -->") == 1 and text.count("<!-- bench:end -->") == 1
    assert "### Targets" in text and "measured ÷ goal" in text
    section = text.split("<!-- bench:start -->")[1]
    assert section.index("### Targets") < section.index("### Regional indicator set")
    assert text.count("\n### ") >= len(PARTS) + 1  # the targets, then one section (or more) per part
    return doc


def _check(doc: dict, systems: list[str], baci: list[str]) -> None:
    m = doc["machine"]
    assert m["cpus"] >= 1 and len(m["loadavg_start"]) == 3 and len(m["loadavg_end"]) == 3
    assert isinstance(m["quiet"], bool) and m["python"] and "duckdb" in doc["versions"]
    assert list(doc["parts"]) == list(PARTS)
    for part, result in doc["parts"].items():
        if isinstance(load_part(part), str):  # not written yet: reported, not fatal
            assert result["status"] == "not measured" and result["reason"]
        else:  # every part that exists runs at the CI size
            assert result["status"] == "measured", (part, result.get("reason"))
    (entry,) = doc["parts"]["regional"]["section"]["entries"]
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
    bsec = doc["parts"]["baci"]["section"]
    assert sorted(bsec["systems"]) == sorted(baci)
    assert bsec["agree"] is True
    cells = [tuple(c) for c in bsec["systems"][baci[0]]["cells"]]
    assert {c[0] for c in cells} <= {"Asia", "Europe", "America", "Other"}
    assert {c[1] for c in cells} == set(range(2001, 2025))
    assert {t["part"] for t in doc["targets"]} >= set(PARTS) - {"baci"}
    assert all(t["status"] in {"pass", "miss", "not measured", "error"} for t in doc["targets"])


@pytest.mark.slow  # every part at the CI size builds its inputs (warehouses from the mirror): minutes
def test_bench_quick_duckdb_and_pandas(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    systems = ["comercio-duckdb", "duckdb-sql", "pandas"]
    doc = _run(tmp_path, shared_data, monkeypatch, ",".join(systems), "duckdb,pandas")
    _check(doc, systems, ["duckdb", "pandas"])


@pytest.mark.slow
@pytest.mark.spark
def test_bench_quick_every_system(tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    systems = ["comercio-duckdb", "duckdb-sql", "pandas", "comercio-spark"]
    doc = _run(tmp_path, shared_data, monkeypatch, ",".join(systems), "duckdb,spark,pandas")
    _check(doc, systems, ["duckdb", "spark", "pandas"])


def _part(name: str, run: Any, render: Any = None) -> ModuleType:
    module = ModuleType(f"comercio.bench._{name}")
    module.run = run  # type: ignore[attr-defined]
    module.targets = lambda s: [_target(f"{name} goal", s["value"], 1.0, "max", "here")]  # type: ignore[attr-defined]
    module.render = render or (lambda s: [f"### {name.title()}", "", f"value {s['value']}"])  # type: ignore[attr-defined]
    return module


def test_a_missing_or_failing_part_is_reported_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: Any) -> dict:
        raise RuntimeError("the part broke\nsecond line never shown")

    def bad_render(_: dict) -> list[str]:
        raise KeyError("x")

    monkeypatch.setitem(sys.modules, "comercio.bench._zz_boom", _part("zz_boom", boom))
    monkeypatch.setitem(sys.modules, "comercio.bench._zz_fine", _part("zz_fine", lambda *_: {"value": 0.5}))
    monkeypatch.setitem(
        sys.modules, "comercio.bench._zz_ugly", _part("zz_ugly", lambda *_: {"value": 2.0}, bad_render)
    )
    monkeypatch.setitem(sys.modules, "comercio.bench._zz_half", ModuleType("comercio.bench._zz_half"))
    parts = ("zz_absent", "zz_boom", "zz_half", "zz_fine", "zz_ugly")
    doc = run_suite(BenchConfig(parts=parts, work=tmp_path), log=lambda _: None)
    status = {p: r["status"] for p, r in doc["parts"].items()}
    assert status == {"zz_absent": "not measured", "zz_boom": "error", "zz_half": "not measured",
                      "zz_fine": "measured", "zz_ugly": "measured"}  # fmt: skip
    assert doc["parts"]["zz_boom"]["reason"] == "RuntimeError: the part broke"
    assert "no run, targets, render" in doc["parts"]["zz_half"]["reason"]
    rows = {t["part"]: t for t in doc["targets"]}
    assert rows["zz_absent"]["status"] == "not measured" and rows["zz_boom"]["status"] == "error"
    assert rows["zz_fine"]["status"] == "pass" and rows["zz_ugly"]["status"] == "miss"
    assert rows["zz_ugly"]["miss_factor"] == 2.0
    text = render(doc)
    assert "### zz_absent\n\nnot measured: no module comercio.bench._zz_absent." in text
    assert "### zz_boom\n\nerror: RuntimeError: the part broke." in text and "second line" not in text
    assert "### Zz_Fine\n\nvalue 0.5" in text
    assert "### zz_ugly\n\nerror: the section could not be rendered (KeyError)." in text
    assert "| zz_fine | zz_fine goal | here | 0.50 | 1.00 | 0.50 | pass, 2.00× margin |" in text
    assert "| zz_ugly | zz_ugly goal | here | 2.00 | 1.00 | 2.00 | **miss**, off by 2.0× |" in text
    assert "Traceback" not in text and str(tmp_path) not in text


def test_targets_min_and_max() -> None:
    assert _target("t", 1_200_000, 1_000_000, "min", None)["status"] == "pass"
    low = _target("t", 500_000, 1_000_000, "min", None)
    assert low["status"] == "miss" and low["miss_factor"] == 2.0
    assert _target("t", 0, 1_000_000, "min", None)["status"] == "miss"
    assert _target("t", None, 1.15, "max", "10⁸")["status"] == "not measured"


def test_command_line_sizes_parts_and_quick() -> None:
    config, _ = config_from(["--quick", "--sizes=2e4", "--only=regional,baci", "--no-baci"])
    assert config.quick and config.sizes == (20_000,) and config.parts == ("regional",)
    assert config.ingest_rows == 10**5 and config.append_sizes == (10**4, 10**5)
    default, _ = config_from([])
    assert default.sizes == (10**6, 10**7, 10**8) and default.append_sizes == (10**6, 10**8)
    assert default.parts == PARTS
    with pytest.raises(SystemExit):
        config_from(["--only=regional,nope"])
    with pytest.raises(SystemExit):
        config_from(["--systems=comercio-duckdb,nope"])


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
    update_docs(path, render({"parts": {}, "targets": []}))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("intro\n<!-- bench:start -->\n") and text.endswith(
        "<!-- bench:end -->\n## API load test\nx\n"
    )
    assert "old" not in text and "### Targets" in text


def test_a_failing_job_says_why_in_one_line(tmp_path: Path) -> None:
    job = {"kind": "baci", "entry": "comercio.bench._baci:run_system", "rows": 1}  # no "system": KeyError
    with pytest.raises(ComercioError) as caught:
        run_job(job, tmp_path)
    assert "benchmark job baci failed: KeyError: 'system'" in caught.value.reason
    part = _message(caught.value)
    assert part.startswith("job-baci-1-") and "KeyError: 'system'" in part
    assert "run it by hand" not in part and str(tmp_path) not in part
