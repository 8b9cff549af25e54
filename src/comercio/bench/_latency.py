"""The latency bench part: what a person waits for at the prompt and in the browser (issue 15, item 4).

Every figure is the wall time of a fresh ``comercio`` process (start-up, imports and all), the median of a
few runs, on a warehouse built from the mirror into the bench work directory (``comercio build``):

- ``--help`` of the root and of every command and sub-command (the slowest one is the target);
- ``comercio report regional`` as JSON, in all formats (es and en), as PDF alone, and the sector study in all
  formats; the PDF's own cost split in-process: WeasyPrint's import, layout (HTML to pages), PDF writing and
  the page previews;
- the dashboard: ``comercio serve`` on a free loopback port, the time from its ready line to the first 200
  answer of ``/`` (and how long it took to get ready).

The runs happen in one child interpreter (:func:`comercio.bench._run.run_job`), which starts each command.
"""

from __future__ import annotations

import functools
import itertools
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from comercio.bench._data import cached, mark_ready
from comercio.bench._run import run_job
from comercio.bench._suite import BenchConfig, _target

GOALS = {"help": 0.5, "json": 1.5, "all": 4.0, "first_page": 0.5}
ALL = "html,pdf,xlsx,md,json"
READY = "Uvicorn running on"
REPORTS = {  # name -> (arguments, label)
    "regional_json": (["report", "regional", "--format", "json"], "`report regional --format json` (es)"),
    "regional_all_es": (["report", "regional", "--format", ALL], "`report regional`, all formats, es"),
    "regional_all_en": (["report", "regional", "--format", ALL, "--lang", "en"], "… all formats, en"),
    "regional_pdf": (["report", "regional", "--format", "pdf"], "`report regional --format pdf` (es)"),
    "sector_all_es": (["report", "sector", "--format", ALL], "`report sector`, all formats, es"),
}
QUICK_REPORTS = ("regional_json",)
KEPT = {"regional_json", "regional_all_es", "regional_all_en", "regional_pdf"}  # facts kept between runs


def _exe() -> str:
    return str(Path(sys.executable).with_name("comercio"))


# -- inputs -----------------------------------------------------------------------------------------------
def prepare(work: Path, log: Callable[[str], None]) -> Path:
    """The warehouse ``comercio build`` makes from the mirror, cached under ``work`` (``ready.json``)."""
    home = work / "latency-home"
    if cached(home) is not None:
        return home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    log("latency: building the warehouse from the mirror (`comercio build`)")
    t0 = time.perf_counter()
    proc = subprocess.run([_exe(), "build"], env=_env(home), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"`comercio build` failed: {proc.stderr.strip()[-500:]}")
    mark_ready(home, {"build_s": round(time.perf_counter() - t0, 1)})
    return home


def _env(home: Path) -> dict[str, str]:
    from comercio.bench._data import shared_data

    env = dict(os.environ, COMERCIO_HOME=str(home), COMERCIO_REPORTS=str(home / "reports"))
    mirror = str(shared_data())
    env.setdefault("COMERCIO_MIRROR", mirror)
    env.setdefault("COMERCIO_SHARED_DATA", mirror)
    env.pop("COMERCIO_DEBUG", None)
    # An installed package has its bytecode; this machine's environment sets PYTHONDONTWRITEBYTECODE=1, which
    # would have every process compile comercio's modules again (~0.1 s). Bytecode goes beside the bench's
    # inputs, never under src/, written by each command's untimed first run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home.parent / "latency-pycache")
    return env


# -- child side -------------------------------------------------------------------------------------------
def _median(times: list[float], cpus: list[float] | None = None) -> dict[str, Any]:
    out = {"times_s": [round(t, 3) for t in times], "median_s": round(statistics.median(times), 3)}
    if cpus:
        out["cpu_s"] = round(statistics.median(cpus), 3)
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wall(
    args: list[str], env: dict[str, str], repeats: int, before: Callable[[], object] | None = None
) -> dict[str, Any]:
    """Median wall time (and CPU time, steadier on a shared machine) of ``comercio ARGS`` in fresh
    processes, ``before`` called ahead of each (untimed); a failing command raises. An untimed first run
    writes the bytecode of the modules the command imports (:func:`_env`)."""
    times, cpus = [], []
    for timed in [False] + [True] * max(1, repeats):
        if before is not None:
            before()
        c0, t0 = _children_cpu(), time.perf_counter()
        proc = subprocess.run([_exe(), *args], env=env, capture_output=True, text=True, check=False)
        if timed:
            times.append(time.perf_counter() - t0)
            cpus.append(_children_cpu() - c0)
        if proc.returncode != 0:
            raise RuntimeError(f"`comercio {' '.join(args)}` failed: {proc.stderr.strip()[-300:]}")
    return _median(times, cpus)


def _forget(home: Path) -> None:
    """No facts kept by an earlier run on the warehouse at ``home`` (:mod:`comercio.reports.kept`)."""
    from comercio.config import Settings
    from comercio.reports.kept import forget

    forget(Settings.from_env(home=home))


def commands() -> list[list[str]]:
    """Every command path of the CLI (the root first), from its Typer tree."""
    import typer

    from comercio.cli import app

    paths: list[list[str]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def _first_page(env: dict[str, str]) -> dict[str, Any]:
    """Start ``comercio serve`` on a free loopback port; seconds to its ready line, then to the first 200."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [_exe(), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if READY in line:
                break
        else:
            raise RuntimeError("`comercio serve` stopped before it was ready")
        ready = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=120) as answer:
            answer.read()
            status = answer.status
        served = time.perf_counter()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if status != 200:
        raise RuntimeError(f"the dashboard answered {status}")
    return {"ready_s": ready - t0, "first_page_s": served - ready}


def _pdf_split(home: Path, out: Path) -> dict[str, float]:
    """In-process split of the regional PDF: figures, WeasyPrint import, layout, PDF writing, previews."""
    from comercio import reference
    from comercio.config import Settings
    from comercio.indicators.regional import regional_facts
    from comercio.reports.regional import build_regional
    from comercio.reports.writers import render_figures
    from comercio.reports.writers.html import render_html
    from comercio.reports.writers.pdf import page_previews
    from comercio.warehouse import Warehouse

    settings = Settings.from_env(home=home)
    rf = regional_facts(Warehouse(settings, read_only=True), None)
    report = build_regional(rf, "es", geojson=reference.boundaries(settings))
    out.mkdir(parents=True, exist_ok=True)
    marks = [time.perf_counter()]
    figures = render_figures(report, out)
    marks.append(time.perf_counter())
    from weasyprint import HTML

    marks.append(time.perf_counter())
    document = HTML(string=render_html(report, figures, print_mode=True), base_url=str(out)).render()
    marks.append(time.perf_counter())
    document.write_pdf(out / "report.pdf")
    marks.append(time.perf_counter())
    page_previews(out / "report.pdf", pages=len(document.pages))
    marks.append(time.perf_counter())
    names = ("figures_s", "weasyprint_import_s", "layout_s", "write_pdf_s", "previews_s")
    return {n: round(b - a, 3) for n, (a, b) in zip(names, itertools.pairwise(marks), strict=True)}


def measure(job: dict[str, Any]) -> dict[str, Any]:
    """Child entry: every ``--help``, the reports and the dashboard, in fresh ``comercio`` processes."""
    home, repeats = Path(job["home"]), int(job["repeats"])
    env = _env(home)
    paths = commands() if not job["quick"] else [[], ["report", "regional"]]
    helps = {" ".join(p) or "(root)": _wall([*p, "--help"], env, repeats) for p in paths}
    reports, kept_runs = {}, {}
    for name in job["reports"]:
        args, _ = REPORTS[name]
        out = [*args, "--out", str(home / "reports" / name)]
        if name in KEPT:  # the target: no facts kept from an earlier run; then again with them
            reports[name] = _wall(out, env, repeats, before=functools.partial(_forget, home))
            kept_runs[name] = _wall(out, env, repeats)
        else:
            reports[name] = _wall(out, env, repeats)
    pages = [_first_page(env) for _ in range(1 + max(1, repeats))][1:]  # the first one writes bytecode
    split = _pdf_split(home, home / "reports" / "pdf-split") if "regional_pdf" in job["reports"] else {}
    return {
        "help": helps,
        "reports": reports,
        "reports_kept": kept_runs,
        "pdf_split": split,
        "dashboard": {
            "first_page": _median([p["first_page_s"] for p in pages]),
            "ready": _median([p["ready_s"] for p in pages]),
        },
    }


# -- parent side ------------------------------------------------------------------------------------------
def run(config: BenchConfig, work: Path, jobs: Path, log: Callable[[str], None]) -> dict[str, Any]:
    home = prepare(work, log)
    repeats = config.repeats if config.repeats is not None else (1 if config.quick else 3)
    names = list(QUICK_REPORTS if config.quick else REPORTS)
    log(f"latency: every --help, {len(names)} reports and the dashboard, {repeats} fresh processes each")
    job = {
        "kind": "latency",
        "entry": "comercio.bench._latency:measure",
        "home": str(home),
        "repeats": repeats,
        "quick": config.quick,
        "reports": names,
    }
    result = run_job(job, jobs)
    section: dict[str, Any] = {"repeats": repeats, **{k: result[k] for k in ("help", "reports", "dashboard")}}
    section["reports_kept"] = result.get("reports_kept", {})
    section["pdf_split"] = result.get("pdf_split", {})
    section["peak_rss_mib"] = result.get("peak_rss_mib")
    slowest = max(section["help"].items(), key=lambda kv: kv[1]["median_s"])
    log(f"latency: slowest --help {slowest[0]} {slowest[1]['median_s']} s")
    return section


def _slowest_help(section: dict[str, Any]) -> tuple[str, float] | None:
    helps = section.get("help") or {}
    if not helps:
        return None
    name, value = max(helps.items(), key=lambda kv: kv[1]["median_s"])
    return name, value["median_s"]


def _median_of(section: dict[str, Any], name: str) -> float | None:
    value = (section.get("reports") or {}).get(name)
    return None if value is None else float(value["median_s"])


def targets(section: dict[str, Any]) -> list[dict[str, Any]]:
    slowest = _slowest_help(section)
    page = (section.get("dashboard") or {}).get("first_page")
    both = [_median_of(section, f"regional_all_{lang}") for lang in ("es", "en")]
    every = max((v for v in both if v is not None), default=None)
    return [
        _target("every `comercio … --help` < 0.5 s (slowest)", slowest and slowest[1], GOALS["help"], "max",
                f"`{slowest[0]} --help`" if slowest else None),
        _target("`report regional --format json` < 1.5 s", _median_of(section, "regional_json"),
                GOALS["json"], "max", "warehouse built from the mirror"),
        _target("`report regional`, all formats of one language < 4 s", every, GOALS["all"], "max",
                "slower of es and en"),
        _target("dashboard first page < 0.5 s after ready", page and page["median_s"], GOALS["first_page"],
                "max", "`comercio serve`, ready line → first 200 of `/`"),
    ]  # fmt: skip


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _row(value: dict[str, Any]) -> str:
    return f"{_s(value['median_s'])} | {_s(value.get('cpu_s'))}"


def render(section: dict[str, Any]) -> list[str]:
    lines = [
        "### Interactive latency: commands, reports, dashboard",
        "",
        f"Wall time of a fresh `comercio` process (start-up included), median of {section.get('repeats')} "
        "runs after an untimed one, on the warehouse `comercio build` makes from the mirror, with the "
        "bytecode of the modules written (`PYTHONPYCACHEPREFIX` in the bench's work directory; this "
        "machine's environment sets `PYTHONDONTWRITEBYTECODE=1`, which would cost each process ~0.1 s of "
        "compiling, unlike an installed package). `report regional` keeps its facts "
        "between runs (decision 0021): its rows and targets are runs with none kept (removed before each "
        "run); the rows marked *facts kept* are the same command run again on the same warehouse.",
        "",
        "| what | median s | CPU s | goal s |",
        "|---|---:|---:|---:|",
    ]
    slowest = _slowest_help(section)
    helps = section.get("help") or {}
    if slowest:
        worst = helps[slowest[0]]
        lines.append(f"| slowest `--help` (`{slowest[0]}`, of {len(helps)}) | {_row(worst)} | 0.5 |")
        root = helps.get("(root)")
        if root:
            lines.append(f"| `comercio --help` | {_row(root)} | 0.5 |")
    goals = {"regional_json": "1.5", "regional_all_es": "4", "regional_all_en": "4"}
    for name, value in (section.get("reports") or {}).items():
        lines.append(f"| {REPORTS[name][1]} | {_row(value)} | {goals.get(name, '')} |")
    for name, value in (section.get("reports_kept") or {}).items():
        label = f"{REPORTS[name][1]}, *facts kept* by an earlier run (not the target)"
        lines.append(f"| {label} | {_row(value)} | |")
    dash = section.get("dashboard") or {}
    if dash:
        first, ready = _s(dash["first_page"]["median_s"]), _s(dash["ready"]["median_s"])
        lines.append(f"| dashboard: first page after the ready line | {first} | | 0.5 |")
        lines.append(f"| dashboard: `comercio serve` start to ready, warm-up included | {ready} | | |")
    split = section.get("pdf_split") or {}
    pdf = _median_of(section, "regional_pdf")
    if split:
        layout = split["layout_s"]
        share = f", {layout / pdf:.0%} of `--format pdf`" if pdf else ""
        lines += [
            "",
            f"PDF, in-process: figures {_s(split['figures_s'])} s, WeasyPrint import "
            f"{_s(split['weasyprint_import_s'])} s, layout {_s(layout)} s{share}, PDF writing "
            f"{_s(split['write_pdf_s'])} s, page previews (pdftoppm) {_s(split['previews_s'])} s.",
        ]
    if helps:
        each = ", ".join(f"`{k}` {_s(v['median_s'])}" for k, v in helps.items())
        lines += ["", f"Every `--help` (s): {each}."]
    lines.append("")
    return lines
