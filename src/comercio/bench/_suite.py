"""The benchmark suite: prepare inputs, run each system in its own process, check agreement, score targets."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from comercio.bench import _baci, _data, _regional
from comercio.bench._run import run_job

LARGE = 10**8  # from this size pandas and Spark run only with --all (hours, or memory the machine lacks)
TARGETS = {
    "comercio_vs_sql": 1.3,  # comercio-duckdb time / duckdb-sql time, at most
    "pandas_speedup_10m": 5.0,  # pandas time / comercio-duckdb time at 10M lines, at least
    "peak_100m_mib": 8 * 1024,  # comercio-duckdb peak memory at 100M lines, below
    "ingest_lines_per_s": 500_000,  # DBF → Parquet, at least
}


@dataclass(frozen=True)
class BenchConfig:
    """What to run. ``repeats`` None = 3 below 10⁸ lines (1 for Spark from 10⁷), 1 from 10⁸."""

    sizes: tuple[int, ...] = (10**6, 10**7)
    systems: tuple[str, ...] = _regional.SYSTEMS
    baci_systems: tuple[str, ...] = _baci.SYSTEMS
    repeats: int | None = None
    run_all: bool = False
    ingest_rows: int = 10**6
    baci_rows: int = 10**7
    seed: int = 20240601
    work: Path = field(default_factory=lambda: Path("var/bench"))


def repeats_for(config: BenchConfig, rows: int, system: str) -> int:
    if config.repeats is not None:
        return config.repeats
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
    """Whether every system that ran computed the same headline figures; the differing ones."""
    ran = {s: r["figures"] for s, r in results.items() if "figures" in r}
    if len(ran) < 2:
        return True, []
    ref_name, ref = next(iter(ran.items()))
    diffs = [
        f"{key}: {ref_name}={ref.get(key)!r} {name}={fig.get(key)!r}"
        for name, fig in ran.items()
        for key in _regional.HEADLINE
        if not _close(ref.get(key), fig.get(key), rel)
    ]
    return not diffs, diffs


def _machine() -> dict[str, Any]:
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):  # pragma: no cover
        mem = None
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(mem, 1) if mem else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],  # other work on the machine skews times
    }


def _versions() -> dict[str, str]:
    import duckdb
    import ibis
    import pandas
    import pyarrow

    out = {"duckdb": duckdb.__version__, "ibis": ibis.__version__, "pandas": pandas.__version__}
    out["pyarrow"] = pyarrow.__version__
    try:
        import pyspark

        out["pyspark"] = pyspark.__version__
    except ImportError:  # pragma: no cover
        pass
    return out


def _log(msg: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def run_suite(config: BenchConfig, *, ingest: bool = True, baci: bool = True) -> dict[str, Any]:
    """Run everything ``config`` asks for and return the results document (not yet written)."""
    work = config.work.resolve()
    jobs = work / "jobs"
    marginals = _data.bcrp_marginals()
    doc: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "versions": _versions(),
        "config": {
            "sizes": list(config.sizes),
            "systems": list(config.systems),
            "seed": config.seed,
            "ingest_rows": config.ingest_rows,
            "baci_rows": config.baci_rows,
            "run_all": config.run_all,
        },
        "regional": [],
    }
    if ingest:
        _log(f"ingest: preparing {config.ingest_rows:,} lines of DBF")
        data = _data.prepare_ingest(config.ingest_rows, config.seed, work, marginals)
        job = {
            "kind": "ingest",
            "files": data["files"],
            "out": str(work / "ingest-out"),
            "rows": data["rows"],
        }
        job["repeats"] = 1 if config.ingest_rows >= 10**7 else 3
        doc["ingest"] = {**run_job(job, jobs), "input": data}
        _log(f"ingest: {doc['ingest']['lines_per_s']:,} lines/s")
    for rows in config.sizes:
        _log(f"regional {rows:,}: preparing the warehouse")
        data = _data.prepare_regional(rows, config.seed, work, marginals)
        entry: dict[str, Any] = {"rows": data["rows"], "input": data, "systems": {}}
        for system in config.systems:
            reason = skip_reason(config, rows, system)
            if reason is not None:
                entry["systems"][system] = {"skipped": reason}
                continue
            job = {"kind": "regional", "system": system, "home": data["home"], "files": data["files"]}
            job.update(through=data["through"], rows=rows, repeats=repeats_for(config, rows, system))
            try:
                entry["systems"][system] = run_job(job, jobs)
            except Exception as exc:  # a failing system is a result too, the others still run
                entry["systems"][system] = {"error": str(exc)}
            r = entry["systems"][system]
            _log(f"regional {rows:,} {system}: {r.get('median_s')} s, {r.get('peak_rss_mib')} MiB")
        entry["agree"], entry["disagreements"] = agreement(entry["systems"])
        doc["regional"].append(entry)
    if baci:
        _log(f"baci: preparing {config.baci_rows:,} flows")
        data = _baci.prepare(config.baci_rows, config.seed, work)
        bres: dict[str, dict[str, Any]] = {}
        for system in config.baci_systems:
            job = {"kind": "baci", "system": system, "dir": data["dir"], "rows": data["rows"]}
            job["repeats"] = 1 if system == "spark" and data["rows"] >= 10**7 else 3
            try:
                bres[system] = run_job(job, jobs)
            except Exception as exc:
                bres[system] = {"error": str(exc)}
            _log(f"baci {system}: {bres[system].get('median_s')} s, {bres[system].get('peak_rss_mib')} MiB")
        doc["baci"] = {"rows": data["rows"], "input": data, "systems": bres, "agree": _baci.agree(bres)}
    doc["targets"] = score_targets(doc)
    doc["notes"] = explain(doc)
    doc["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    doc["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    return doc


def _median(entry: dict[str, Any], system: str) -> float | None:
    value = entry["systems"].get(system, {}).get("median_s")
    return float(value) if value is not None else None


def score_targets(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured value, pass/miss and by how much (None when not measured)."""
    out: list[dict[str, Any]] = []
    for entry in doc.get("regional", []):
        c, s, p = (_median(entry, k) for k in ("comercio-duckdb", "duckdb-sql", "pandas"))
        if c and s:
            entry["ratio_comercio_vs_sql"] = round(c / s, 3)
        if c and p:
            entry["ratio_pandas_vs_comercio"] = round(p / c, 3)
    by_rows = {e["rows"]: e for e in doc.get("regional", [])}
    ratios = [(r, e["ratio_comercio_vs_sql"]) for r, e in by_rows.items() if "ratio_comercio_vs_sql" in e]
    worst = max(ratios, key=lambda rv: rv[1]) if ratios else None
    out.append(_target("comercio ≤ 1.3× hand-written DuckDB SQL (worst size)", worst and worst[1],
                       TARGETS["comercio_vs_sql"], "max", worst and f"{worst[0]:,} lines"))  # fmt: skip
    e10 = by_rows.get(10**7, {})
    out.append(_target("comercio ≥ 5× faster than pandas at 10M lines", e10.get("ratio_pandas_vs_comercio"),
                       TARGETS["pandas_speedup_10m"], "min", "10,000,000 lines"))  # fmt: skip
    e100 = by_rows.get(10**8, {}).get("systems", {}).get("comercio-duckdb", {})
    peak = e100.get("peak_rss_mib")
    out.append(_target("100M lines complete, peak < 8 GiB (comercio-duckdb, MiB)", peak,
                       TARGETS["peak_100m_mib"], "max", "100,000,000 lines"))  # fmt: skip
    ing = doc.get("ingest", {})
    out.append(_target("ingest ≥ 500 000 lines/s (DBF → Parquet, reader)", ing.get("lines_per_s"),
                       TARGETS["ingest_lines_per_s"], "min", f"{ing.get('lines', 0):,} lines"))  # fmt: skip
    full = ing.get("warehouse", {})
    out.append(_target("ingest ≥ 500 000 lines/s (`comercio ingest`, into the warehouse)",
                       full.get("lines_per_s"), TARGETS["ingest_lines_per_s"], "min",
                       f"{full.get('lines', 0):,} lines"))  # fmt: skip
    return out


def _target(name: str, value: float | None, goal: float, kind: str, where: str | None) -> dict[str, Any]:
    if value is None:
        return {"target": name, "goal": goal, "value": None, "status": "not measured", "where": where}
    ok = value <= goal if kind == "max" else value >= goal
    by = value / goal if kind == "max" else goal / value
    return {
        "target": name,
        "goal": goal,
        "value": value,
        "status": "pass" if ok else "miss",
        "miss_factor": None if ok else round(by, 2),
        "where": where,
    }


def explain(doc: dict[str, Any]) -> list[str]:
    """Why targets were missed, from what was measured (query counts, engine time, skipped systems)."""
    notes: list[str] = []
    ing = doc.get("ingest", {})
    if "read_decode_s_last_run" in ing:
        notes.append(
            f"ingest: of {ing['times_s'][-1]:.2f} s for {ing['lines']:,} lines, "
            f"{ing['read_decode_s_last_run']:.2f} s went to unzipping and decoding the DBF records "
            f"(iter_microdata) and {ing['parquet_write_s_last_run']:.2f} s to writing zstd Parquet."
        )
    for e in doc.get("regional", []):
        c = e["systems"].get("comercio-duckdb", {})
        if "queries_per_run" in c and c.get("median_s"):
            notes.append(
                f"{e['rows']:,} lines: comercio-duckdb ran {c['queries_per_run']} engine queries per run "
                f"(one aggregation of the lines into a cube per dataset and flow; every grouping is then "
                f"derived from the cube) against 1 scan plus 6 small queries in the hand-written SQL. Its "
                f"cube also keeps the product code, which the SQL version never reads, because it computes "
                f"{c.get('facts')} facts including drivers by product, agro by natural region, category "
                f"leaders and the projection, which the hand-written versions do not."
            )
        for name, r in e["systems"].items():
            if "skipped" in r:
                notes.append(f"{e['rows']:,} lines, {name} not run: {r['skipped']}.")
            if "error" in r:
                notes.append(f"{e['rows']:,} lines, {name} failed: {r['error']}.")
        if not e.get("agree", True):
            notes.append(f"{e['rows']:,} lines: systems disagree: {'; '.join(e['disagreements'])}.")
    return notes
