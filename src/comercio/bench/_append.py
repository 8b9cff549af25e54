"""The append bench part: one more week on archives of 10⁶ and 10⁸ lines (issue 15, item 2).

Archives are written directly (:mod:`comercio.bench._append_data`; not 10⁸ lines of DBF): one
``customs_lines`` vintage per week of ``WEEK_LINES`` export lines, declarations numbered per customs office
and year as SUNAT numbers them, each with the key index a load writes
(:func:`comercio.warehouse.revisions.revise`) and recorded in the catalog in one transaction, generated once
per size into the bench work directory. The week appended is a SUNAT weekly export zip (DBF, the reader's real
path) of ``WEEK_LINES`` lines: the next week's declarations and 1 % corrections of lines of the four weeks
before.

Each archive vintage also gets the aggregates a load writes (``comercio.warehouse.aggregates``: region-cube
and maturity rows, summed by the same code); an archive generated before they existed is given them in a
hard-linked twin (:mod:`comercio.bench._aggregated`), never rewritten.

Measured in a child process per size, the catalog restored between runs: ``comercio ingest sunat-microdata
<week>`` (``comercio.ingest.ingest``, the CLI's call; it writes the new week's aggregates), then what is read
again after it: the corrected view of ``customs_lines`` (lines other files superseded left out) summed over
the appended week's month, of the files that may hold it (footer statistics:
:func:`comercio.warehouse.within`), and the region cube every report starts from
(``indicators.engine.cube``): the sidecars of the old vintages no correction touches, plus a scan of the new
week and of the four weeks its corrections touch (docs/decisions/0024-vintage-aggregates.md).
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from comercio.bench._append_data import LAST, WEEK_LINES, prepare
from comercio.bench._suite import BenchConfig, _target

GOAL_RATIO = 1.5
_CPU = ("recompute_cpu_s", "cube_cpu_s")


# -- the child --------------------------------------------------------------------------------------------
def append_week(job: dict[str, Any]) -> dict[str, Any]:
    """Append the week to the archive ``repeats`` times (the catalog restored before each) and time the
    ingest and the month's recomputation."""
    from comercio.config import Settings
    from comercio.indicators import assembled
    from comercio.indicators.engine import cube
    from comercio.ingest import ingest
    from comercio.sources.weekly import week_of
    from comercio.warehouse import Warehouse, within

    home, week = Path(job["home"]), Path(job["week"])
    keep = home.parent / "catalog-before"
    if not keep.exists():
        with Warehouse(Settings(home=home)).catalog.writer_lock():
            pass  # a writer's start publishes the snapshot as today's comercio leaves it
        keep.mkdir()
        for f in home.glob("catalog.*"):
            shutil.copy2(f, keep / f.name)
    ingest_s: list[float] = []
    ingest_cpu_s: list[float] = []
    recompute_s: list[float] = []
    cube_s: list[float] = []
    cube_own_s: list[float] = []
    recompute_cpu_s: list[float] = []  # CPU of every thread: steadier than wall time on a shared machine
    cube_cpu_s: list[float] = []
    read: dict[str, Any] = {}
    for _ in range(max(1, int(job["repeats"]))):
        _restore(home, keep, week)
        wh = Warehouse(Settings(home=home))
        t0, c0 = time.perf_counter(), time.process_time()
        report = ingest(wh, "sunat-microdata", [week])
        ingest_s.append(time.perf_counter() - t0)
        ingest_cpu_s.append(time.process_time() - c0)  # steadier than wall time on a shared machine
        (result,) = report.results
        month = week_of(LAST + dt.timedelta(weeks=1))[0].replace(day=1)
        t1, c1 = time.perf_counter(), time.process_time()
        fresh = Warehouse(Settings(home=home), read_only=True)
        t = fresh.table("customs_lines", "duckdb", where=within("period", month))  # files of its months
        t = t.filter(t.period >= month)
        fresh.execute(t.aggregate(n=t.count(), v=t.value_usd.sum()), engine="duckdb").to_pylist()
        recompute_s.append(time.perf_counter() - t1)
        recompute_cpu_s.append(time.process_time() - c1)
        t2, c2 = time.perf_counter(), time.process_time()
        cube(fresh, "customs_lines", "X", "duckdb")  # the region cube every report and page starts from
        cube_s.append(time.perf_counter() - t2)
        cube_cpu_s.append(time.process_time() - c2)
        assembled.USE_INDEX = False  # the same without the index: every vintage's own sidecar read
        t3 = time.perf_counter()
        cube(Warehouse(Settings(home=home), read_only=True), "customs_lines", "X", "duckdb")
        cube_own_s.append(time.perf_counter() - t3)
        assembled.USE_INDEX = True
        read = {"summary": result.summary(), "revised": result.vintage.extra.get("revisions", {})}
        read |= _cube_reads(fresh) | {
            "month_files": len(fresh.files("customs_lines", within("period", month)))
        }
    _restore(home, keep, week)
    return {
        "ingest_s": ingest_s,
        "ingest_cpu_s": ingest_cpu_s,
        "recompute_s": recompute_s,
        "cube_s": cube_s,
        "cube_own_s": cube_own_s,
        "recompute_cpu_s": recompute_cpu_s,
        "cube_cpu_s": cube_cpu_s,
        **read,
    }


def _cube_reads(wh: Any) -> dict[str, Any]:
    """How the region cube was assembled: vintages read from their sidecars, data files scanned."""
    from comercio.indicators.assembled import split
    from comercio.warehouse.aggregates import kind

    part = split(wh, "customs_lines", kind("region"), "X")
    vintages = len(wh.vintages("customs_lines"))
    if part is None:
        return {"cube_sidecars": 0, "cube_scanned_vintages": vintages}
    return {"cube_sidecars": part.answered, "cube_scanned_vintages": vintages - part.answered}


def _restore(home: Path, keep: Path, week: Path) -> None:
    """The archive as prepared: its catalog files back, the appended week's slice removed."""
    for f in home.glob("catalog.*"):
        f.unlink()
    for f in keep.iterdir():
        shutil.copy2(f, home / f.name)
    shutil.rmtree(home / "data" / "customs_lines" / f"microdata-{week.stem}", ignore_errors=True)


# -- the part ---------------------------------------------------------------------------------------------
def run(config: BenchConfig, work: Path, jobs: Path, log: Callable[[str], None]) -> dict[str, Any]:
    from comercio.bench._run import run_job

    sizes = (20_000, 200_000) if config.quick else config.append_sizes
    per = 2_000 if config.quick else WEEK_LINES  # the same week on every archive
    repeats = config.repeats if config.repeats is not None else 3
    section: dict[str, Any] = {"repeats": repeats, "sizes": {}}
    for rows in sizes:
        data = prepare(rows, per, work, log)
        if not _has_aggregates(Path(data["home"])):  # generated before loads wrote them: a linked twin
            from comercio.bench._aggregated import with_aggregates

            twin = with_aggregates(Path(data["home"]), work / f"append-{rows}-w{per}-aggregates")
            log(f"append: aggregates of {rows:,} lines written in a linked twin in {twin['aggregate_s']} s")
            data = data | {"home": twin["home"], "aggregate_s": twin["aggregate_s"]}
        log(f"append: {data['week_lines']:,} lines to {data['rows']:,} ({data['weeks']:,} weekly vintages)")
        job = {"entry": "comercio.bench._append:append_week", "kind": "append", "rows": rows}
        result = run_job(job | {"home": data["home"], "week": data["week"], "repeats": repeats}, jobs)
        result |= {
            k: data[k] for k in ("rows", "weeks", "week_lines", "generate_s", "aggregate_s") if k in data
        }
        for key in ("ingest_s", "ingest_cpu_s", "recompute_s", "cube_s", "cube_own_s", *_CPU):
            if key in result:
                result[key.removesuffix("_s") + "_median_s"] = round(float(np.median(result[key])), 3)
        section["sizes"][str(rows)] = result
        log(
            f"append: {rows:,}: ingest {result['ingest_median_s']} s, "
            f"recompute {result['recompute_median_s']} s"
        )
    done = sorted(section["sizes"].values(), key=lambda r: r["rows"])
    if len(done) >= 2:
        small, big = done[0], done[-1]
        section["ratio"] = round(big["ingest_median_s"] / small["ingest_median_s"], 2)
        section["cpu_ratio"] = round(big["ingest_cpu_median_s"] / small["ingest_cpu_median_s"], 2)
        for key in ("recompute_s", "cube_s", "cube_own_s", *_CPU):
            median = key.removesuffix("_s") + "_median_s"
            if median in big and median in small:
                section[key.removesuffix("_s") + "_ratio"] = round(big[median] / small[median], 2)
    return section


def _has_aggregates(home: Path) -> bool:
    """Whether the archive's vintages were written with their aggregates (the first one tells)."""
    from comercio.warehouse.aggregates import DIRECTORY

    first = next((home / "data" / "customs_lines").glob("*/v1"), None)
    return first is not None and (first / DIRECTORY).is_dir()


def _where(section: dict[str, Any]) -> str:
    rows = sorted(r["rows"] for r in section.get("sizes", {}).values())
    return " vs ".join(f"{r:,}" for r in (rows[-1], rows[0])) + " lines" if len(rows) >= 2 else ""


def targets(section: dict[str, Any]) -> list[dict[str, Any]]:
    where = _where(section)
    return [
        _target(
            "append one week: largest ÷ smallest archive ≤ 1.5×",
            section.get("ratio"),
            GOAL_RATIO,
            "max",
            where,
        ),
        _target(
            "the week's month read after the append: largest ÷ smallest archive ≤ 1.5×",
            section.get("recompute_ratio"),
            GOAL_RATIO,
            "max",
            where,
        ),
        _target(
            "region cube recomputed after the append: largest ÷ smallest archive ≤ 1.5×",
            section.get("cube_ratio"),
            GOAL_RATIO,
            "max",
            where,
        ),
    ]


def render(section: dict[str, Any]) -> list[str]:
    lines = [
        "### Append: one week on a large archive",
        "",
        f"One weekly export zip appended to archives of weekly vintages ({section.get('repeats')} runs each, "
        "median; the catalog restored between runs).",
        "",
        "| archive lines | weekly vintages | week lines | `comercio ingest` s | its CPU s "
        "| the week's month s | its CPU s "
        "| region cube s | its CPU s | without the index s | peak MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(section.get("sizes", {}).values(), key=lambda r: r["rows"]):
        lines.append(
            f"| {r['rows']:,} | {r['weeks']:,} | {r['week_lines']:,} | {r['ingest_median_s']} | "
            f"{r.get('ingest_cpu_median_s', '–')} | "
            f"{r['recompute_median_s']} | {r.get('recompute_cpu_median_s', '–')} | "
            f"{r.get('cube_median_s', '–')} | {r.get('cube_cpu_median_s', '–')} | "
            f"{r.get('cube_own_median_s', '–')} | {r.get('peak_rss_mib', '–')} |"
        )
    if "ratio" in section:
        lines += [
            "",
            f"Largest ÷ smallest archive: ingest {section['ratio']}× (CPU {section.get('cpu_ratio', '–')}×), "
            "the week's month "
            f"{section['recompute_ratio']}× (CPU {section.get('recompute_cpu_ratio', '–')}×), region cube "
            f"{section.get('cube_ratio', '–')}× (CPU {section.get('cube_cpu_ratio', '–')}×; without the "
            f"index {section.get('cube_own_ratio', '–')}×).",
        ]
    lines += [
        "",
        "The correction check reads the key indexes of the vintages whose declaration years overlap the "
        "week's — of each, only the row groups whose declaration range holds one of the week's "
        "(`comercio.warehouse._zones`) — and data files only where a key hash matches; no existing "
        "partition is rewritten. The week's month: the corrected view of `customs_lines` summed over "
        "the appended week's month, read from the data files that may hold it "
        "(`Warehouse.table(where=within('period', month))`: footer statistics of every current vintage's "
        "files from the listing index `comercio warehouse aggregate` writes, the new week's from its own "
        "footer), the corrections every current vintage lists still applied. Region cube: "
        "`indicators.engine.cube(wh, 'customs_lines', 'X')`, "
        "assembled from the aggregates written at load (per-vintage sidecars) of the old vintages no "
        "correction touches, plus a scan of the vintages the new week's corrections touch (decision 0024); "
        "this is not the cold figure of a whole-archive scan. The old vintages' rows come from the index "
        "`comercio warehouse aggregate` writes (run once on the archive, as a user would after loading it; "
        "ingest does not rewrite it), the new week's from the sidecar its ingest wrote. 'Without the "
        "index': the same cube reading every vintage's own sidecar (what a user gets who never runs the "
        "command), timed right after in the same process (imports and file caches warm).",
    ]
    read = [r for r in section.get("sizes", {}).values() if "cube_sidecars" in r]
    lines += [""] if read else []
    for r in sorted(read, key=lambda r: r["rows"]):
        if "cube_sidecars" in r:
            lines.append(
                f"- {r['rows']:,} lines: the week's month read from {r.get('month_files', '–')} data files; "
                f"region cube from {r['cube_sidecars']:,} vintages' sidecars and a "
                f"scan of {r['cube_scanned_vintages']:,} vintages"
                + (
                    f"; sidecars of the cached archive written in {r['aggregate_s']} s"
                    if "aggregate_s" in r
                    else ""
                )
                + "."
            )
    return lines
