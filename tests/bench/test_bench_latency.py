"""The latency bench part: it finds every command, measures one at a tiny size and renders its section."""

from __future__ import annotations

from pathlib import Path

from comercio.bench import _latency


def test_every_command_is_listed() -> None:
    paths = _latency.commands()
    assert paths[0] == []
    assert {"report regional", "report sector", "serve", "warehouse status", "facts list"} <= {
        " ".join(p) for p in paths
    }


def test_one_help_is_timed_in_a_fresh_process(tmp_path: Path) -> None:
    env = _latency._env(tmp_path / "home")
    assert "PYTHONDONTWRITEBYTECODE" not in env and env["PYTHONPYCACHEPREFIX"].startswith(str(tmp_path))
    timed = _latency._wall(["report", "--help"], env, 1)
    assert len(timed["times_s"]) == 1 and timed["median_s"] > 0 and timed["cpu_s"] >= 0
    assert list((tmp_path / "latency-pycache").rglob("*.pyc"))  # the untimed run wrote the bytecode


def test_targets_and_section_from_a_result() -> None:
    section = {
        "repeats": 3,
        "help": {"(root)": {"median_s": 0.3, "cpu_s": 0.25}, "report regional": {"median_s": 0.42}},
        "reports": {
            "regional_json": {"median_s": 1.2, "cpu_s": 1.1},
            "regional_all_es": {"median_s": 3.5},
            "regional_all_en": {"median_s": 4.2},
            "regional_pdf": {"median_s": 2.0},
        },
        "reports_kept": {"regional_json": {"median_s": 0.6, "cpu_s": 0.5}},
        "dashboard": {"first_page": {"median_s": 0.02}, "ready": {"median_s": 3.0}},
        "pdf_split": {"figures_s": 0.5, "weasyprint_import_s": 0.4, "layout_s": 0.8, "write_pdf_s": 0.3,
                      "previews_s": 0.4},
    }  # fmt: skip
    rows = {t["target"]: t for t in _latency.targets(section)}
    assert [t["status"] for t in rows.values()] == ["pass", "pass", "miss", "pass"]
    assert rows["every `comercio … --help` < 0.5 s (slowest)"]["where"] == "`report regional --help`"
    text = "\n".join(_latency.render(section))
    assert text.startswith("### Interactive latency")
    assert "layout 0.80 s, 40% of `--format pdf`" in text and "`report regional` 0.42" in text
    assert (
        "| `report regional --format json` (es), *facts kept* by an earlier run (not the target) | 0.60 |"
        in text
    )
    section["reports"]["regional_json"]["median_s"] = 1.6  # the target reads the runs with no facts kept
    assert _latency.targets(section)[1]["status"] == "miss"


def test_a_timed_command_can_be_prepared_before_each_run(tmp_path: Path) -> None:
    calls: list[int] = []
    timed = _latency._wall(["report", "--help"], _latency._env(tmp_path), 2, before=lambda: calls.append(1))
    assert calls == [1, 1, 1] and len(timed["times_s"]) == 2  # an untimed first run writes the bytecode


def test_the_pdf_split_times_each_stage(built_home: Path, tmp_path: Path) -> None:
    split = _latency._pdf_split(built_home, tmp_path)
    assert set(split) == {"figures_s", "weasyprint_import_s", "layout_s", "write_pdf_s", "previews_s"}
    assert all(v >= 0 for v in split.values()) and (tmp_path / "report.pdf").stat().st_size > 10_000
