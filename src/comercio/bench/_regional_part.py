"""The regional bench part: the regional indicator set on every system at every size (frame interface).

Parent side only: one cached warehouse per size (:func:`comercio.bench._data.prepare_regional`), each
system in its own child process (``run_system`` of :mod:`comercio.bench._regional`, which holds the systems),
the agreement of their headline figures, and the ratios comercio / hand-written SQL and pandas / comercio.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from comercio.bench._aggregated import AGGREGATE_S, with_aggregates
from comercio.bench._regional import AGGREGATES, FULL, HEADLINE, SYSTEMS
from comercio.bench._regional_full import CHECKS
from comercio.bench._report import _fmt_n, _fmt_s
from comercio.bench._suite import BenchConfig, _target

LARGE = 10**8  # from this size pandas runs only with --all (memory the machine lacks)
# Each system first runs once, untimed, on a warehouse of this many lines generated with another seed (never
# a measured one): imports, compilers and reference tables are then loaded, as the timing means to exclude.
WARM_ROWS = 20_000
GOALS = {
    "comercio_vs_sql": 1.15,  # comercio-duckdb time / duckdb-sql time at 10⁸ lines and at worst, at most
    "comercio_vs_full": 1.15,  # comercio-duckdb time / duckdb-sql-full time at 10⁸ lines, at most
    "pandas_speedup_10m": 5.0,  # pandas time / comercio-duckdb time at 10⁷ lines, at least
    "peak_100m_mib": 8 * 1024,  # comercio-duckdb peak memory at 10⁸ lines, below
}


def repeats_for(config: BenchConfig, rows: int, system: str) -> int:
    if config.repeats is not None:
        return int(config.repeats)
    if rows >= LARGE or ("spark" in system and rows >= 10**7):
        return 1
    return 3


def skip_reason(config: BenchConfig, rows: int, system: str) -> str | None:
    if config.run_all or rows < LARGE:
        return None
    if system == "pandas":
        return "pandas holds every line in memory: about ten times its 10⁷ peak, beyond this machine; --all"
    return None


def _close(a: Any, b: Any, rel: float) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-9)
    return bool(a == b)


def agreement(results: dict[str, dict[str, Any]], rel: float = 1e-6) -> tuple[bool, list[str]]:
    """Whether every system that ran computed the same headline figures, and the same :data:`CHECKS` of
    the aggregations beyond them among the systems computing those (comercio's, ``duckdb-sql-full``); the
    differing ones."""
    diffs = _differ({s: r["figures"] for s, r in results.items() if "figures" in r}, HEADLINE, rel)
    diffs += _differ({s: r["checks"] for s, r in results.items() if "checks" in r}, CHECKS, rel)
    return not diffs, diffs


def _differ(ran: dict[str, dict[str, Any]], keys: tuple[str, ...], rel: float) -> list[str]:
    """``name.key`` lines where a system's ``keys`` differ from the first system's."""
    if len(ran) < 2:
        return []
    ref_name, ref = next(iter(ran.items()))
    return [
        f"{key}: {ref_name}={ref.get(key)!r} {name}={fig.get(key)!r}"
        for name, fig in ran.items()
        for key in keys
        if not _close(ref.get(key), fig.get(key), rel)
    ]


def _median(entry: dict[str, Any], system: str) -> float | None:
    value = entry["systems"].get(system, {}).get("median_s")
    return float(value) if value is not None else None


def run(config: BenchConfig, work: Path, jobs: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """Parent side: one warehouse per size (cached), each system in its own process; agreement; ratios."""
    from comercio.bench import _data
    from comercio.bench._run import run_job

    marginals = _data.bcrp_marginals()
    entries: list[dict[str, Any]] = []
    log(f"regional: preparing the warm-up warehouse ({WARM_ROWS:,} lines)")
    warm = _data.prepare_regional(WARM_ROWS, config.seed + 1, work, marginals)
    for rows in config.sizes:
        log(f"regional {rows:,}: preparing the warehouse")
        data = _data.prepare_regional(rows, config.seed, work, marginals)
        entry: dict[str, Any] = {"rows": data["rows"], "input": data, "systems": {}}
        for system in config.systems or SYSTEMS:
            reason = skip_reason(config, rows, system)
            if reason is not None:
                entry["systems"][system] = {"skipped": reason}
                continue
            home, warm_home = data["home"], warm["home"]
            if system == AGGREGATES:  # a twin with the sidecars a load writes (the cached input has none)
                twin = with_aggregates(Path(home), work / f"regional-{rows}-s{config.seed}-aggregates")
                home, entry["aggregate_s"] = twin["home"], twin[AGGREGATE_S]
                warm_twin = f"regional-{WARM_ROWS}-s{config.seed + 1}-aggregates"
                warm_home = with_aggregates(Path(warm_home), work / warm_twin)["home"]
            job = {"kind": "regional", "system": system, "home": home, "files": data["files"]}
            job.update(through=data["through"], rows=rows, repeats=repeats_for(config, rows, system))
            job["warm"] = {"home": warm_home, "files": warm["files"], "through": warm["through"]}
            try:
                entry["systems"][system] = run_job(job, jobs)
            except Exception as exc:  # a failing system is a result too, the others still run
                entry["systems"][system] = {"error": str(exc)}
            r = entry["systems"][system]
            log(f"regional {rows:,} {system}: {r.get('median_s')} s, {r.get('peak_rss_mib')} MiB")
        entry["agree"], entry["disagreements"] = agreement(entry["systems"])
        c, s, p = (_median(entry, k) for k in ("comercio-duckdb", "duckdb-sql", "pandas"))
        if c and s:
            entry["ratio_comercio_vs_sql"] = round(c / s, 3)
        if c and (full := _median(entry, FULL)):
            entry["ratio_comercio_vs_full"] = round(c / full, 3)
        if (a := _median(entry, AGGREGATES)) and s:
            entry["ratio_aggregates_vs_sql"] = round(a / s, 3)
        if c and p:
            entry["ratio_pandas_vs_comercio"] = round(p / c, 3)
        entries.append(entry)
    return {"entries": entries}


def targets(section: dict[str, Any]) -> list[dict[str, Any]]:

    by_rows = {e["rows"]: e for e in section.get("entries", [])}
    ratios = [(r, e["ratio_comercio_vs_sql"]) for r, e in by_rows.items() if "ratio_comercio_vs_sql" in e]
    worst = max(ratios, key=lambda rv: rv[1]) if ratios else None
    e100 = by_rows.get(LARGE, {}).get("systems", {}).get("comercio-duckdb", {})
    return [
        _target("comercio-duckdb ≤ 1.15× hand-written DuckDB SQL at 10⁸ lines",
                by_rows.get(LARGE, {}).get("ratio_comercio_vs_sql"), GOALS["comercio_vs_sql"], "max",
                "100,000,000 lines"),
        _target("comercio-duckdb ≤ 1.15× hand-written DuckDB SQL at every size (worst)", worst and worst[1],
                GOALS["comercio_vs_sql"], "max", worst and f"{worst[0]:,} lines"),
        _target("comercio-duckdb ≤ 1.15× hand-written SQL computing the same aggregations (10⁸)",
                by_rows.get(LARGE, {}).get("ratio_comercio_vs_full"), GOALS["comercio_vs_full"], "max",
                f"100,000,000 lines, {FULL}"),
        _target("pandas / comercio-duckdb ≥ 5× (speed-up over pandas)",
                by_rows.get(10**7, {}).get("ratio_pandas_vs_comercio"), GOALS["pandas_speedup_10m"], "min",
                "10,000,000 lines"),
        _target("10⁸ lines complete, peak < 8 GiB (comercio-duckdb, MiB)", e100.get("peak_rss_mib"),
                GOALS["peak_100m_mib"], "max", "100,000,000 lines"),
    ]  # fmt: skip


def _notes(section: dict[str, Any]) -> list[str]:
    """Why the figures are what they are: query counts, skipped or failed systems, disagreements."""
    entries = section.get("entries", [])
    warmed = any(r.get("warmup_s") is not None for e in entries for r in e["systems"].values())
    notes: list[str] = []
    if warmed:
        notes.append(
            f"Every system first ran once, untimed, in the same process on a separate warehouse of "
            f"{WARM_ROWS:,} synthetic lines (another seed; no line of the measured warehouse read): "
            "imports, query compilers and reference tables were then loaded, as the hand-written SQL's "
            "department table already was. Every timed run of comercio-duckdb and comercio-spark still "
            "scans every line (cold)."
        )
    if any(FULL in e["systems"] for e in entries):
        notes.append(_BASELINES)
    for e in entries:
        cpu = {k: r["cpu_s_per_run"] for k, r in e["systems"].items() if r.get("cpu_s_per_run")}
        ratios = [
            f"comercio-duckdb / {k} {cpu['comercio-duckdb'] / cpu[k]:.2f}× in CPU time"
            + (f", {e[wall]:.2f}× in wall time (medians)" if e.get(wall) else "")
            for k, wall in (("duckdb-sql", "ratio_comercio_vs_sql"), (FULL, "ratio_comercio_vs_full"))
            if "comercio-duckdb" in cpu and k in cpu
        ]
        if ratios:
            each = ", ".join(f"{k} {v} s" for k, v in cpu.items())
            notes.append(
                f"{e['rows']:,} lines, CPU seconds per timed run (the child's threads; a Spark JVM's not "
                f"counted): {each}; {'; '.join(ratios)}."
            )
        c = e["systems"].get("comercio-duckdb", {})
        if c.get("median_s") and "queries_per_run" in c:
            scans = "; ".join(f"{_grouped(x['groups'])} {x['s']} s" for x in c.get("scans", []))
            notes.append(
                f"{e['rows']:,} lines: comercio-duckdb sent {c['queries_per_run']} "
                f"{'query' if c['queries_per_run'] == 1 else 'queries'} "
                f"({c.get('engine_s_per_run')} s in the engine){': ' + scans if scans else ''} — against one "
                "aggregation in duckdb-sql, which computes neither maturity, coverage nor the product "
                f"sections, and one read of the lines in {FULL} (decision 0019)."
            )
        a = e["systems"].get(AGGREGATES, {})
        if a.get("median_s"):
            notes.append(
                f"{e['rows']:,} lines: {AGGREGATES} is the same code reading the aggregates written at load "
                f"(region cube and maturity from per-vintage sidecars; engine queries per run: "
                f"{a.get('queries_per_run')}): "
                f"{a['median_s']} s, {e.get('ratio_aggregates_vs_sql')}× the SQL — not the cold figure the "
                "target reads (comercio-duckdb scans every line). Their cost is paid at load: writing them "
                f"for this warehouse took {e.get('aggregate_s')} s (`comercio warehouse aggregate`); the "
                "ingest's lines/s with and without them are in decision 0024."
            )
        for name, r in e["systems"].items():
            if "skipped" in r:
                notes.append(f"{e['rows']:,} lines, {name} not run: {r['skipped']}.")
            if "error" in r:
                notes.append(f"{e['rows']:,} lines, {name} failed: {r['error']}.")
        if not e.get("agree", True):
            notes.append(f"{e['rows']:,} lines: systems disagree: {'; '.join(e['disagreements'])}.")
    return notes


_BASELINES = (
    "What each hand-written baseline computes. duckdb-sql: one aggregation of the lines, value by "
    "department, customs office and month — the region-level figures only (no coverage, maturity nor "
    f"product sections); the issue's figure. {FULL}: the three aggregations a cold comercio run computes — "
    "value by department, customs office, month and region basis (the same region-level figures, and the "
    "window's attribution coverage by basis), by month, day and file date (the maturity rows), and by "
    "month, department and product over the months the product sections read (from the earlier of the "
    "comparison window's and the twelve months' first month to the report's month) — written the fastest "
    "way measured on these lines: one aggregation of the lines by all those keys at once (the product "
    "only inside those months), the three rolled up from it (decision 0019); its coverage, maturity rows "
    "and product rows are checked against comercio's (rows, sums, value-weighted lag, as-of date, leading "
    "basis and product; 10⁻⁶ relative). comercio then also derives from these rows, in Python on small "
    "tables, the maturity, the product sections (drivers, agro, leaders) and the projection, which neither "
    "SQL does."
)


def _grouped(groups: list[Any]) -> str:
    """An engine query's aggregations, ``by a, b + by c`` (older results: one list of column names)."""
    sets = groups if groups and isinstance(groups[0], list) else [groups]
    return " + ".join(f"by {', '.join(g)}" for g in sets)


def render(section: dict[str, Any]) -> list[str]:

    lines = [
        "### Regional indicator set (comercio on DuckDB and Spark, hand-written DuckDB SQL, pandas)",
        "",
        "| lines | system | median s | runs | peak MiB | comercio / SQL | pandas / comercio | agree |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for e in section.get("entries", []):
        for name, r in e["systems"].items():
            if "skipped" in r or "error" in r:
                kind = "skipped" if "skipped" in r else "error"
                lines.append(f"| {_fmt_n(e['rows'])} | {name} | — | — | — | | | {kind} (see notes) |")
                continue
            ratio_sql = {"comercio-duckdb": e.get("ratio_comercio_vs_sql")}.get(name)
            ratio_sql = e.get("ratio_comercio_vs_full") if name == FULL else ratio_sql  # comercio / this
            ratio_sql = e.get("ratio_aggregates_vs_sql") if name == AGGREGATES else ratio_sql
            ratio_pd = e.get("ratio_pandas_vs_comercio") if name == "pandas" else None
            label = {
                AGGREGATES: f"{name} (aggregates written at load; not cold)",
                FULL: f"{name} (comercio's aggregations; comercio-duckdb / this in the ratio column)",
            }.get(name, name)
            lines.append(
                f"| {_fmt_n(e['rows'])} | {label} | {_fmt_s(r.get('median_s'))} | "
                f"{len(r.get('times_s', []))} | "
                f"{_fmt_n(r.get('peak_rss_mib'))} | {'' if ratio_sql is None else f'{ratio_sql:.2f}×'} | "
                f"{'' if ratio_pd is None else f'{ratio_pd:.2f}×'} | {'yes' if e.get('agree') else 'NO'} |"
            )
    notes = _notes(section)
    return lines + (["", "Notes:", "", *[f"- {n}" for n in notes]] if notes else [])
