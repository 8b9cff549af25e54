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
INTRO = """## Speed at the limit (`make bench`)

`make bench` (`python -m comercio.bench`) runs every benchmark part in one go and regenerates the section
below from that single run; the JSON document goes to `bench/results/<UTC timestamp>.json` and `latest.json`.
"""


def _fmt_s(v: Any) -> str:
    return "—" if v is None else (f"{v:.2f}" if v < 100 else f"{v:.0f}")


def _fmt_n(v: Any) -> str:
    return "—" if v is None else f"{v:,.0f}".replace(",", " ")


def _fmt_value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and abs(v) < 100:
        return f"{v:.2f}"
    return _fmt_n(v)


def _status(t: dict[str, Any]) -> str:
    """pass/miss and by how much: the margin left when met, the factor off when missed."""
    status, value, goal = t.get("status", "?"), t.get("value"), t.get("goal")
    if status == "miss" and t.get("miss_factor"):
        return f"**miss**, off by {t['miss_factor']}×"
    if status == "pass" and value and goal:
        margin = goal / value if t.get("kind", "max") == "max" else value / goal
        return f"pass, {margin:.2f}× margin"
    return status


def _ratio(t: dict[str, Any]) -> str:
    value, goal = t.get("value"), t.get("goal")
    if value is None or not goal:
        return "—"
    ratio = value / goal
    return f"{ratio:.2f}" if ratio >= 0.01 or ratio == 0 else f"{ratio:.2g}"


def target_table(targets: list[dict[str, Any]]) -> list[str]:
    """Every target of the run in one table: measured, goal, measured ÷ goal, pass/miss and by how much."""
    lines = [
        "| part | target | where | measured | goal | measured ÷ goal | status |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for t in targets:
        where = str(t.get("where") or "").replace("|", "/")
        lines.append(
            f"| {t.get('part', '')} | {t.get('target')} | {where} | {_fmt_value(t.get('value'))} | "
            f"{_fmt_value(t.get('goal'))} | {_ratio(t)} | {_status(t)} |"
        )
    return lines


def _header(doc: dict[str, Any]) -> list[str]:
    m, v = doc.get("machine", {}), dict(doc.get("versions", {}))
    v = {"Python": m.get("python"), **v, "Java": m.get("java") or "not found"}
    quiet = m.get("quiet")
    spent = ", ".join(f"{p} {r['seconds']:.0f} s" for p, r in doc.get("parts", {}).items() if "seconds" in r)
    return [
        f"Run {doc.get('started_at')} → {doc.get('finished_at')} on {m.get('cpus')} CPUs, "
        f"{m.get('memory_gib')} GiB, {m.get('platform')}.",
        "",
        "Versions: " + ", ".join(f"{k} {x}" for k, x in v.items()) + ".",
        "",
        f"Load average (1, 5, 15 min) at start {m.get('loadavg_start')}, at end {m.get('loadavg_end')}: "
        + ("quiet machine (1-minute load below the CPU count)." if quiet else
           "**busy machine** (1-minute load at or above the CPU count): times are indicative only."),
        *(["", f"Wall time of each part, input preparation included: {spent}."] if spent else []),
    ]  # fmt: skip


def _part_lines(part: str, result: dict[str, Any]) -> list[str]:
    if result["status"] != "measured":
        return [f"### {part}", "", f"{result['status']}: {result.get('reason')}."]
    from comercio.bench._suite import load_part

    module = load_part(part)
    try:
        if isinstance(module, str):
            raise LookupError(module)
        lines = list(module.render(result["section"]))
        while lines and not lines[-1].strip():  # one blank line between sections, whatever a part returns
            lines.pop()
        return lines
    except Exception as exc:  # a rendering fault of one part must not lose the rest of the run
        return [f"### {part}", "", f"error: the section could not be rendered ({type(exc).__name__})."]


def render(doc: dict[str, Any]) -> str:
    """The Markdown of the generated section (without the markers): header, targets, then each part."""
    lines = [*_header(doc), "", "### Targets", "", *target_table(doc.get("targets", []))]
    for part, result in doc.get("parts", {}).items():
        lines += ["", *_part_lines(part, result)]
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
