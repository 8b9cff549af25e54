"""The query bench part: how long :func:`comercio.query.run` takes to answer a cut nobody asked before
(issue 18, item 5).

Two sets of queries, each query in its own fresh child interpreter (:func:`comercio.bench._run.run_job`):

- the published tables (BCRP's departments, SUNAT's cuadros G1 and G6) on the warehouse ``comercio build``
  makes from the mirror (the latency part's, cached in the bench work directory);
- the common cuts of customs lines (one filter, one breakdown, one year) on the regional part's synthetic
  warehouses of every size (10⁶, 10⁷, 10⁸ lines; cached likewise).

Each child records, for its query: the time from its spawn to being ready to query (interpreter and
imports: *start-up*), the first answer in the process (a new connection, the cube, the answer, plus the
libraries and reference tables loaded on first use), then ``repeats`` times the answer on a **new**
warehouse connection with an empty cube cache (*uncached*: the process is up, nothing of the query is
cached; the targets apply to this), then ``repeats`` times on the same connection (*warm cube*: the cube
memoised, the answer computed anew, since ``run`` keeps no answers). A last child per size shows the
bounds: a cut over a (lowered) row bound and one over a (shortened) time bound, with the message each gives.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from comercio.bench._report import _fmt_n
from comercio.bench._run import run_job
from comercio.bench._suite import BenchConfig, _target

GOALS = {"cuadro": 0.3, "lines": 2.0}
LARGE = 10**8  # the size the customs-lines target is read at
ENTRY = "comercio.bench._query:measure"
# name -> (query parameters, label); months within the mirror's data (BCRP 2005–2022, G1 to 2025-05, G6 to
# 2025-04) and the synthetic lines' (2019-01 to 2022-06)
CUADRO: dict[str, tuple[dict[str, str], str]] = {
    "arequipa_year": (
        {"from": "2005-01", "to": "2022-12", "by": "department", "where": "department=04",
         "measures": "value,share"},
        "Arequipa by year 2005–2022, value and share",
    ),
    "departments_quarter": (
        {"from": "2015-01", "to": "2022-12", "freq": "quarter", "by": "department"},
        "every department by quarter 2015–2022",
    ),
    "departments_rank": (
        {"from": "2022-01", "to": "2022-12", "by": "department",
         "measures": "value,growth,contribution,rank"},
        "every department in 2022: growth, contribution, rank",
    ),
    "sectors_year": (
        {"from": "2005-01", "to": "2025-05", "by": "sector"},
        "G1 sectors by year 2005–2025 (2025 partial)",
    ),
    "chile_month": (
        {"from": "2023-01", "to": "2025-04", "freq": "month", "where": "partner=CL"},
        "exports to Chile by month 2023-01 to 2025-04",
    ),
    "macroregions_ytd": (
        {"from": "2022-01", "to": "2022-06", "freq": "ytd", "by": "macroregion",
         "measures": "value,growth,share"},
        "macroregions, Jan–Jun 2022 against 2021",
    ),
}  # fmt: skip
LINES: dict[str, tuple[dict[str, str], str]] = {
    "office_in_department": (
        {"from": "2021-01", "to": "2021-12", "by": "customs_office", "where": "department=04"},
        "Arequipa (04) by customs office, 2021",
    ),
    "department_of_hs4": (
        {"from": "2021-01", "to": "2021-12", "by": "department", "where": "hs4=0804",
         "measures": "value,net_kg,unit_value"},
        "HS 0804 by department, 2021, with kg and US$/kg",
    ),
    "partner_month": (
        {"from": "2021-01", "to": "2021-12", "freq": "month", "by": "partner"},
        "every partner by month, 2021",
    ),
}  # fmt: skip
QUICK = {"cuadro": ("arequipa_year", "chile_month"), "lines": ("office_in_department",)}
# A cut of every product × partner × customs office by month: over a lowered row bound, and slow at 10⁸ lines
OVER = {"from": "2019-01", "to": "2022-06", "freq": "month", "by": "product,partner,customs_office"}
DEMO_ROWS = 10_000  # the row bound the demonstration lowers to (the settings' default is far above)
QUICK_DEMO_ROWS = 100  # the same at the CI size, whose cut is small
DEMO_TIMEOUT_S = 0.5  # the time bound the demonstration shortens to


# -- child side -------------------------------------------------------------------------------------------
def _since(spawned: float) -> float:
    return round(time.time() - spawned, 3)


def _times(times: list[float]) -> dict[str, Any]:
    return {"times_s": [round(t, 4) for t in times], "median_s": round(statistics.median(times), 4)}


def measure(job: dict[str, Any]) -> dict[str, Any]:
    """Child entry: one query, first in a new process, then uncached (new connection), then warm cube."""
    from comercio.config import Settings
    from comercio.query import Query, run
    from comercio.warehouse import Warehouse, forget_footers

    settings = Settings.from_env(home=Path(job["home"]))
    query = Query.from_params(job["params"])
    startup = _since(job["spawned"])
    t0 = time.perf_counter()
    wh = Warehouse(settings, read_only=True)
    result = run(wh, query)
    first = time.perf_counter() - t0
    to_first = _since(job["spawned"])
    uncached, cpu, warm = [], [], []
    for _ in range(max(1, int(job["repeats"]))):
        forget_footers()  # the data files' footers are read again too
        c0, t0 = time.process_time(), time.perf_counter()
        wh = Warehouse(settings, read_only=True)  # a new connection: no table registered, no cube cached
        run(wh, query)
        uncached.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)  # every thread of the process: steadier on a shared machine
    for _ in range(max(1, int(job["repeats"]))):
        t0 = time.perf_counter()
        run(wh, query)
        warm.append(time.perf_counter() - t0)
    return {
        "engine": settings.engine,
        "dataset": result.dataset,
        "rows": len(result.rows),
        "periods": len(result.periods),
        "partial": list(result.partial),
        "synthetic": result.synthetic,
        "startup_s": startup,
        "to_first_answer_s": to_first,
        "first_s": round(first, 4),
        "uncached": {**_times(uncached), "cpu_s": round(statistics.median(cpu), 4)},
        "warm": _times(warm),
    }


def _attempt(call: Callable[[], Any]) -> dict[str, Any]:
    """Seconds until ``call`` answered or was refused, and the message a user reads when refused."""
    from comercio.errors import ComercioError, scrub

    t0 = time.perf_counter()
    try:
        result = call()
    except ComercioError as exc:
        return {"refused": True, "s": round(time.perf_counter() - t0, 3), "message": scrub(str(exc))}
    return {"refused": False, "s": round(time.perf_counter() - t0, 3), "rows": len(result.rows)}


def _settle() -> None:
    """Let an interrupted query wind down before the child exits: its connection freed, the deadline's
    watcher finished (an interpreter exiting under a DuckDB query still being cancelled can abort)."""
    import gc
    import threading

    gc.collect()
    for thread in threading.enumerate():
        if thread.name == "comercio-deadline":
            thread.join(timeout=5)


def bounds(job: dict[str, Any]) -> dict[str, Any]:
    """Child entry: the cut :data:`OVER` with the row bound lowered, then with the time bound shortened
    (each on a new connection, so the cube is computed, not remembered), after a first small query that
    loads what a process loads once (libraries, reference tables)."""
    from comercio.config import Settings
    from comercio.query import Query, run
    from comercio.warehouse import Warehouse

    settings = Settings.from_env(home=Path(job["home"]))
    query = Query.from_params(job["params"])
    run(Warehouse(settings, read_only=True), Query.from_params(job["warmup"]))
    rows = _attempt(lambda: run(Warehouse(settings, read_only=True), query, max_rows=int(job["max_rows"])))
    seconds = _attempt(lambda: run(Warehouse(settings, read_only=True), query, timeout_s=job["timeout_s"]))
    _settle()
    return {
        "default_max_rows": settings.query_max_rows,
        "default_timeout_s": settings.query_timeout_s,
        "max_rows": job["max_rows"],
        "timeout_s": job["timeout_s"],
        "rows_bound": rows,
        "time_bound": seconds,
    }


# -- parent side ------------------------------------------------------------------------------------------
def _job(home: str, key: str, params: dict[str, str], repeats: int, rows: int = 0) -> dict[str, Any]:
    return {"kind": "query", "entry": ENTRY, "system": key, "rows": rows, "home": home, "params": params,
            "repeats": repeats}  # fmt: skip


def _one(job: dict[str, Any], jobs: Path) -> dict[str, Any]:
    """One query's child; a failing query is a result too (its reason), the others still run."""
    try:
        return run_job({**job, "spawned": time.time()}, jobs)
    except Exception as exc:
        from comercio.bench._suite import _message

        return {"error": _message(exc)}


def _say(log: Callable[[str], None], what: str, r: dict[str, Any]) -> None:
    if "error" in r:
        log(f"query {what}: failed: {r['error']}")
    else:
        log(f"query {what}: uncached {r['uncached']['median_s']} s, warm {r['warm']['median_s']} s")


def run(config: BenchConfig, work: Path, jobs: Path, log: Callable[[str], None]) -> dict[str, Any]:
    from comercio.bench import _data, _latency
    from comercio.bench._regional_part import repeats_for

    home = str(_latency.prepare(work, log))
    repeats = config.repeats if config.repeats is not None else (1 if config.quick else 3)
    cuadro: dict[str, Any] = {}
    for key in QUICK["cuadro"] if config.quick else CUADRO:
        cuadro[key] = _one(_job(home, key, CUADRO[key][0], repeats), jobs)
        _say(log, key, cuadro[key])
    marginals = _data.bcrp_marginals()
    entries = []
    for rows in config.sizes:
        data = _data.prepare_regional(rows, config.seed, work, marginals)
        n = repeats_for(config, rows, "query")
        queries: dict[str, Any] = {}
        for key in QUICK["lines"] if config.quick else LINES:
            queries[key] = _one(_job(data["home"], key, LINES[key][0], n, rows), jobs)
            _say(log, f"{key} at {rows:,} lines", queries[key])
        demo = {"kind": "query", "entry": "comercio.bench._query:bounds", "system": "bounds", "rows": rows,
                "home": data["home"], "params": OVER, "warmup": LINES["office_in_department"][0],
                "max_rows": QUICK_DEMO_ROWS if config.quick else DEMO_ROWS,
                "timeout_s": DEMO_TIMEOUT_S}  # fmt: skip
        try:
            shown: dict[str, Any] = run_job(demo, jobs)
        except Exception as exc:
            from comercio.bench._suite import _message

            shown = {"error": _message(exc)}
        entries.append({"rows": data["rows"], "repeats": n, "queries": queries, "bounds": shown})
    return {"repeats": repeats, "home": "warehouse built from the mirror", "cuadro": cuadro, "lines": entries}


def _slowest(results: dict[str, Any], kind: str = "uncached") -> tuple[str, float] | None:
    timed = [(k, r[kind]["median_s"]) for k, r in results.items() if kind in r]
    return max(timed, key=lambda kv: kv[1]) if timed else None


def _worst(name: str, results: dict[str, Any] | None, goal: float, kind: str, where: str) -> dict[str, Any]:
    """The target on the slowest query of a set; not measured when the set was not run or a query failed."""
    if results is None:
        return _target(name, None, goal, "max", "10⁸ lines not measured")
    failed = [k for k, r in results.items() if "error" in r]
    if failed:
        return _target(name, None, goal, "max", f"failed: {', '.join(failed)}")
    worst = _slowest(results, kind)
    return _target(name, worst and worst[1], goal, "max", worst and f"{worst[0]}; {where}")


def targets(section: dict[str, Any]) -> list[dict[str, Any]]:
    large = next((e["queries"] for e in section.get("lines", []) if e["rows"] >= LARGE), None)
    uncached = "new connection, nothing cached; process up"
    return [
        _worst("every query on BCRP/SUNAT cuadros < 300 ms uncached (slowest)", section.get("cuadro") or {},
               GOALS["cuadro"], "uncached", uncached),
        _worst("common cuts of 10⁸ customs lines < 2 s uncached (slowest)", large, GOALS["lines"], "uncached",
               uncached),
        _worst("common cuts of 10⁸ customs lines < 2 s, the vintage's cube built (slowest)", large,
               GOALS["lines"], "warm", "cube memoised by an earlier query; the answer computed anew"),
    ]  # fmt: skip


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _rows_of(
    set_name: str, size: str, results: dict[str, Any], labels: dict[str, Any], goal: float
) -> list[str]:
    out = []
    for key, r in results.items():
        label = labels[key][1]
        if "error" in r:
            out.append(f"| {set_name} | {size} | {label} | failed: {r['error']} | | | | | | | |")
            continue
        partial = f" ({', '.join(r['partial'])} partial)" if r.get("partial") else ""
        synthetic = ", synthetic" if r.get("synthetic") else ""
        out.append(
            f"| {set_name} | {size} | {label} | `{r['dataset']}`{synthetic}, {r['rows']} rows{partial} | "
            f"{_s(r['startup_s'])} | {_s(r['to_first_answer_s'])} | {_s(r['first_s'])} | "
            f"**{_s(r['uncached']['median_s'])}** | {_s(r['uncached'].get('cpu_s'))} | "
            f"{_s(r['warm']['median_s'])} | {goal:g} |"
        )
    return out


def _attempt_text(kind: str, bound: str, default: str, r: dict[str, Any], limit: float | None = None) -> str:
    """What happened to the cut under one bound; an answer slower than a time bound is said as such."""
    if r.get("refused"):
        return f"{kind} ({bound}; default {default}): refused after {r['s']:.2f} s: «{r['message']}»"
    said = f"{kind} ({bound}; default {default}): answered in {r['s']:.2f} s, {_fmt_n(r.get('rows'))} rows"
    if limit is not None and r["s"] > limit:
        return said + ", **over the bound**"
    return said + ", within it"


def _bounds_lines(entry: dict[str, Any]) -> list[str]:
    b = entry.get("bounds") or {}
    size = f"{_fmt_n(entry['rows'])} lines"
    if "error" in b:
        return [f"- {size}: the bounds could not be shown: {b['error']}."]
    rows = _attempt_text("row bound", f"lowered to {_fmt_n(b['max_rows'])} rows",
                         _fmt_n(b["default_max_rows"]), b["rows_bound"])  # fmt: skip
    secs = _attempt_text("time bound", f"shortened to {b['timeout_s']:g} s", f"{b['default_timeout_s']:g} s",
                         b["time_bound"], b["timeout_s"])  # fmt: skip
    return [f"- {size}, {rows}.", f"- {size}, {secs}."]


def render(section: dict[str, Any]) -> list[str]:
    lines = [
        "### Query latency (`comercio.query.run`)",
        "",
        "Each query runs in its own fresh process. *Start-up*: from spawn to ready to query (Python and "
        "imports). *Spawn → first answer* and *first query*: the first answer in that process, the second "
        "figure without the start-up (a new connection, the cube, the answer, and the libraries and "
        "reference tables a process loads on first use). *Uncached*, which the targets read: a new "
        "connection with an empty cube cache in a process already up, so nothing of the query is cached; "
        f"median of {section.get('repeats')} runs (1 at 10⁸ lines), with its CPU time (every thread), "
        "steadier than wall time on a busy machine. *Warm cube*: the same connection again; `run` keeps no "
        "answers, so this is what a new query costs once an earlier one has built the vintage's cube. "
        "The bench does not empty the operating system's file cache: after the first answer the Parquet "
        "files are likely in memory. "
        "Published tables on the warehouse `comercio build` makes from the mirror; customs lines on the "
        "regional part's synthetic warehouses (synthetic figures, labelled as such).",
        "",
        "| set | size | query | answered from | start-up s | spawn → first answer s | first query s | "
        "uncached s | uncached CPU s | warm cube s | goal s |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
        *_rows_of("cuadros", "mirror", section.get("cuadro") or {}, CUADRO, GOALS["cuadro"]),
    ]
    for e in section.get("lines", []):
        lines += _rows_of("customs lines", _fmt_n(e["rows"]), e["queries"], LINES, GOALS["lines"])
    if section.get("lines"):
        over = ", ".join(f"{k}={v}" for k, v in OVER.items())
        lines += ["", f"Bounds, on the cut `{over}` (a new connection each time):", ""]
        for e in section["lines"]:
            lines += _bounds_lines(e)
    lines.append("")
    return lines
