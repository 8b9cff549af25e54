"""Benchmark results on disk: the JSON document and the generated table in ``docs/benchmarks.md``.

Only the text between ``<!-- bench:start -->`` and ``<!-- bench:end -->`` is regenerated; the hand-written
introduction and any other section (e.g. the API load test) are left exactly as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
TITLE = "# Benchmarks\n"
INTRO = """## Indicator engine, ingest and BACI (`make bench`)

`make bench` (or `python -m comercio.bench --sizes 1e6,1e7`) generates synthetic SUNAT export lines calibrated
to BCRP's real department × month totals, loads them as the only export dataset, and computes the full
regional indicator set four ways: comercio on DuckDB, a hand-written DuckDB SQL version of the same figures,
idiomatic pandas, and comercio on PySpark local. Every system runs in its own fresh interpreter, so the peak
memory (resident set of the process tree, JVM included) is its own; wall time covers the computation only
(data generation, imports and Spark start-up excluded); the median of the repeats is reported. Results are
written to `bench/results/<UTC timestamp>.json` and `bench/results/latest.json`; the table below is
regenerated from them. Ratios are always measured in the same run.
"""


def _fmt_s(v: Any) -> str:
    return "—" if v is None else (f"{v:.2f}" if v < 100 else f"{v:.0f}")


def _fmt_n(v: Any) -> str:
    return "—" if v is None else f"{v:,.0f}".replace(",", " ")


def render(doc: dict[str, Any]) -> str:
    """The Markdown of the generated section (without the markers)."""
    m = doc.get("machine", {})
    v = doc.get("versions", {})
    lines = [
        f"Run {doc.get('started_at')} on {m.get('cpus')} CPUs, {m.get('memory_gib')} GiB; "
        + ", ".join(f"{k} {x}" for k, x in v.items())
        + f"; load average at start {m.get('loadavg_start')}, at end {m.get('loadavg_end')}.",
        "",
        "### Regional indicator set",
        "",
        "| lines | system | median s | runs | peak MiB | comercio / SQL | pandas / comercio | agree |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for e in doc.get("regional", []):
        for name, r in e["systems"].items():
            if "skipped" in r or "error" in r:
                why = r.get("skipped") or r.get("error")
                lines.append(
                    f"| {_fmt_n(e['rows'])} | {name} | — | — | — | | | "
                    f"{'skipped' if 'skipped' in r else 'error'}: {why} |"
                )
                continue
            ratio_sql = e.get("ratio_comercio_vs_sql") if name == "comercio-duckdb" else None
            ratio_pd = e.get("ratio_pandas_vs_comercio") if name == "pandas" else None
            lines.append(
                f"| {_fmt_n(e['rows'])} | {name} | {_fmt_s(r.get('median_s'))} | "
                f"{len(r.get('times_s', []))} | "
                f"{_fmt_n(r.get('peak_rss_mib'))} | {'' if ratio_sql is None else f'{ratio_sql:.2f}×'} | "
                f"{'' if ratio_pd is None else f'{ratio_pd:.2f}×'} | {'yes' if e.get('agree') else 'NO'} |"
            )
    ing = doc.get("ingest")
    if ing:
        lines += [
            "",
            "### Ingest (SUNAT DBF zips → Parquet)",
            "",
            "| path | lines | median s | lines/s | peak MiB |",
            "|---|---:|---:|---:|---:|",
            f"| reader only: `iter_microdata` → Parquet | {_fmt_n(ing.get('lines'))} | "
            f"{_fmt_s(ing.get('median_s'))} | {_fmt_n(ing.get('lines_per_s'))} | "
            f"{_fmt_n(ing.get('peak_rss_mib'))} |",
        ]
        wh = ing.get("warehouse")
        if wh:
            lines.append(
                f"| `comercio ingest sunat-microdata` (sha256, checks, atomic vintaged load) | "
                f"{_fmt_n(wh.get('lines'))} | {_fmt_s(wh.get('median_s'))} | {_fmt_n(wh.get('lines_per_s'))} "
                "| (same process) |"
            )
    baci = doc.get("baci")
    if baci:
        lines += [
            "",
            f"### BACI: exporter continent × year × basket ({_fmt_n(baci['rows'])} flows, 2001–2024)",
            "",
            "| system | median s | runs | peak MiB |",
            "|---|---:|---:|---:|",
        ]
        for name, r in baci["systems"].items():
            lines.append(
                f"| {name} | {_fmt_s(r.get('median_s'))} | {len(r.get('times_s', []))} | "
                f"{_fmt_n(r.get('peak_rss_mib'))} |"
            )
        lines.append(f"\nAll systems computed the same cells: {'yes' if baci.get('agree') else 'NO'}.")
    lines += ["", "### Targets", "", "| target | measured | goal | status |", "|---|---:|---:|---|"]
    for t in doc.get("targets", []):
        status = t["status"] + (f" (off by {t['miss_factor']}×)" if t.get("miss_factor") else "")
        value = t["value"]
        shown = "—" if value is None else (f"{value:,.2f}" if value < 100 else _fmt_n(value))
        goal = _fmt_n(t["goal"]) if t["goal"] >= 100 else t["goal"]
        lines.append(f"| {t['target']} — {t.get('where') or ''} | {shown} | {goal} | {status} |")
    notes = doc.get("notes")
    if notes:
        lines += ["", "#### Notes", "", *[f"- {n}" for n in notes]]
    return "\n".join(lines) + "\n"


def update_docs(path: Path, section: str) -> None:
    """Replace the text between the markers in ``path`` (created with the intro if missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else TITLE
    block = f"{START}\n{section}{END}"
    if START in text and END in text and text.index(START) < text.index(END):
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + INTRO + "\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_results(doc: dict[str, Any], results_dir: Path) -> Path:
    """``<UTC timestamp>.json`` plus ``latest.json`` in ``results_dir``; the timestamped path."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(doc, indent=1, default=str)
    path = results_dir / f"{stamp}.json"
    for target in (path, results_dir / "latest.json"):
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    return path
