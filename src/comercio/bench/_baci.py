"""BACI-size world trade aggregated to exporter continent × year × basket, on DuckDB, PySpark and pandas.

The sector report's heavy query: every HS6 flow of every year, summed by the exporter's continent (America
as one), the year and whether the product is in the metalworking basket (HS chapters 73 and 82–90). Input is
a synthetic BACI release (:mod:`comercio.synth.baci`) stored as Hive-partitioned Parquet by
:func:`comercio.sources.baci.write_baci_partitioned`, generated once per size and reused.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from comercio.bench._data import cached, mark_ready
from comercio.bench._run import summary, timed
from comercio.synth.baci import BASKET_CHAPTERS, continent_of

SYSTEMS = ("duckdb", "spark", "pandas")
YEARS = range(2001, 2025)


def prepare(rows: int, seed: int, work: Path) -> dict[str, Any]:
    """A synthetic release of about ``rows`` flows over 2001–2024 as partitioned Parquet (cached)."""
    from comercio.sources.baci import write_baci_partitioned
    from comercio.synth.baci import generate_baci

    base = work / f"baci-{rows}-s{seed}"
    done = cached(base)
    if done is not None:
        return done
    shutil.rmtree(base, ignore_errors=True)
    t0 = time.perf_counter()
    per_year = max(1, rows // len(YEARS))
    # Past ~400 000 flows a year the built-in list of HS6 codes runs out of distinct flows: draw from the
    # whole HS 2022 nomenclature when the mirror has it (read at generation time, never copied).
    hs_table = _hs_table()
    zip_path = generate_baci(
        base / "zip",
        years=YEARS,
        rows_per_year=per_year,
        seed=seed,
        hs_table=hs_table,
        hs_version="HS22" if hs_table else "HS17",
    )
    written = write_baci_partitioned(zip_path, base / "parquet")
    zip_path.unlink()
    info = {
        "rows": sum(written.rows.values()),
        "seed": seed,
        "dir": str((base / "parquet").resolve()),
        "generate_s": round(time.perf_counter() - t0, 2),
    }
    mark_ready(base, info)
    return info


def _hs_table() -> Path | None:
    for var in ("COMERCIO_SHARED_DATA", "COMERCIO_MIRROR"):
        root = os.environ.get(var)
        if root and (Path(root) / "hs" / "hs2022_en.csv").exists():
            return Path(root) / "hs" / "hs2022_en.csv"
    return None


def _continents() -> pa.Table:
    mapping = continent_of()
    return pa.table({"iso3": list(mapping), "continent": list(mapping.values())})


def _duckdb(directory: str) -> list[tuple[Any, ...]]:
    import duckdb

    con = duckdb.connect()
    con.register("cont", _continents())
    chapters = list(BASKET_CHAPTERS)
    rows = con.execute(
        """
        SELECT coalesce(c.continent, 'Other') AS continent, t.year,
               substr(t.hs6, 1, 2) IN (SELECT unnest($chapters)) AS basket, sum(t.value_usd) AS value_usd
        FROM read_parquet($glob, hive_partitioning = true) t LEFT JOIN cont c ON t.exporter = c.iso3
        GROUP BY ALL ORDER BY ALL
        """,
        {"glob": f"{directory}/*/*.parquet", "chapters": chapters},
    ).fetchall()
    con.close()
    return [tuple(r) for r in rows]


def _pandas(directory: str) -> list[tuple[Any, ...]]:
    import pandas as pd

    df = pd.read_parquet(directory, columns=["exporter", "hs6", "value_usd", "year"])
    cont = _continents().to_pandas().set_index("iso3")["continent"]
    df["continent"] = df["exporter"].map(cont).fillna("Other")
    df["basket"] = df["hs6"].str[:2].isin(BASKET_CHAPTERS)
    df["year"] = df["year"].astype(int)
    out = df.groupby(["continent", "year", "basket"], observed=True)["value_usd"].sum().reset_index()
    return [(str(c), int(y), bool(b), float(v)) for c, y, b, v in out.itertuples(index=False)]


def _spark_session() -> Any:
    from comercio.warehouse import spark_session

    return spark_session()


def _spark(spark: Any, directory: str) -> list[tuple[Any, ...]]:
    from pyspark.sql import functions as F

    t = spark.read.parquet(directory)
    cont = spark.createDataFrame(_continents().to_pandas())
    j = t.join(F.broadcast(cont), t.exporter == cont.iso3, "left")
    j = j.withColumn("continent", F.coalesce(F.col("continent"), F.lit("Other")))
    j = j.withColumn("basket", F.substring("hs6", 1, 2).isin(list(BASKET_CHAPTERS)))
    agg = j.groupBy("continent", "year", "basket").agg(F.sum("value_usd").alias("value_usd"))
    return [(r[0], int(r[1]), bool(r[2]), float(r[3])) for r in agg.collect()]


def run_system(job: dict[str, Any]) -> dict[str, Any]:
    """Child side: aggregate with ``job["system"]``; the cells, sorted, plus timings."""
    system, directory, repeats = job["system"], job["dir"], int(job["repeats"])
    extra: dict[str, Any] = {}
    if system == "duckdb":
        times, rows = timed(lambda: _duckdb(directory), repeats)
    elif system == "pandas":
        times, rows = timed(lambda: _pandas(directory), repeats)
    else:
        t0 = time.perf_counter()
        spark = _spark_session()
        extra["startup_s"] = round(time.perf_counter() - t0, 2)
        times, rows = timed(lambda: _spark(spark, directory), repeats)
        spark.stop()
    cells = sorted((str(c), int(y), bool(b), float(v)) for c, y, b, v in rows)
    return {**summary(times), "cells": cells, **extra}


def agree(results: dict[str, dict[str, Any]], rel: float = 1e-6) -> bool:
    """Whether every system produced the same cells (values within ``rel`` relative)."""
    cells = [r["cells"] for r in results.values() if "cells" in r]
    if len(cells) < 2:
        return True
    first = cells[0]
    for other in cells[1:]:
        if len(other) != len(first):
            return False
        for a, b in zip(first, other, strict=True):
            if tuple(a[:3]) != tuple(b[:3]) or abs(a[3] - b[3]) > rel * max(abs(a[3]), abs(b[3]), 1.0):
                return False
    return True


# -- the bench part (frame interface: run, targets, render) ----------------------------------------------
def run(config: Any, work: Path, jobs: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """Parent side: one cached synthetic release, each system in its own process, agreement of the cells."""
    from comercio.bench._run import run_job

    log(f"baci: preparing {config.baci_rows:,} flows")
    data = prepare(config.baci_rows, config.seed, work)
    results: dict[str, dict[str, Any]] = {}
    for system in config.baci_systems or SYSTEMS:
        job = {"kind": "baci", "system": system, "dir": data["dir"], "rows": data["rows"]}
        job["repeats"] = config.repeats or (1 if system == "spark" and data["rows"] >= 10**7 else 3)
        try:
            results[system] = run_job(job, jobs)
        except Exception as exc:  # a failing system is a result too, the others still run
            results[system] = {"error": str(exc)}
        r = results[system]
        log(f"baci {system}: {r.get('median_s')} s, {r.get('peak_rss_mib')} MiB")
    return {"rows": data["rows"], "input": data, "systems": results, "agree": agree(results)}


def targets(section: dict[str, Any]) -> list[dict[str, Any]]:
    """BACI has no goal of its own: it is measured for comparison only."""
    return []


def render(section: dict[str, Any]) -> list[str]:
    from comercio.bench._report import _fmt_n, _fmt_s

    lines = [
        f"### BACI: exporter continent × year × basket ({_fmt_n(section['rows'])} flows, 2001–2024)",
        "",
        "| system | median s | runs | peak MiB |",
        "|---|---:|---:|---:|",
    ]
    for name, r in section["systems"].items():
        lines.append(
            f"| {name} | {_fmt_s(r.get('median_s'))} | {len(r.get('times_s', []))} | "
            f"{_fmt_n(r.get('peak_rss_mib'))} |"
        )
    lines += ["", f"All systems computed the same cells: {'yes' if section.get('agree') else 'NO'}."]
    return lines + [f"{name} failed: {r['error']}." for name, r in section["systems"].items() if "error" in r]
