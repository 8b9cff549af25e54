"""The ingest bench part: SUNAT's weekly microdata zips against the speed of decompression (issue 15, item 1).

Inputs: the weekly twin (``comercio.synth.weekly``, SUNAT's real layout: exports ``x…`` with 44 fields,
imports ``ma…`` with 58), about ``ingest_rows`` lines per flow, generated once into the bench work directory
from a calibration warehouse built from the mirror (BCRP and SUNAT cuadros, as ``comercio synth`` needs).

Measured in the same run, each stage in its own child process, exports and imports apart:

- **inflate limit**: every zip member inflated to memory (CRC-32 checked), nothing decoded; on one process
  and on two (both cores) — what no reader of these zips can beat;
- **reader**: ``iter_microdata`` to Arrow batches; **reader + Parquet**: the same, written as zstd Parquet;
- **ingest**: ``comercio.ingest.ingest(wh, "sunat-microdata", files)`` into an empty warehouse, the call
  ``comercio ingest sunat-microdata`` makes (hashing, reader, checks, corrections, atomic vintaged loads).

Rates are lines in the files (the DBF headers' record counts) per second of wall time; ``cpu_s`` is the
child's own CPU time, steadier than wall time when the machine is shared.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import statistics
import struct
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from comercio.bench._data import cached, mark_ready
from comercio.bench._suite import BenchConfig, _target

FIRST, LAST = dt.date(2024, 1, 1), dt.date(2025, 11, 30)  # 100 weeks: ~10⁴ export lines a week at 10⁶
GOALS = {"lines_per_s": 1_000_000, "vs_limit": 1.5}
FLOWS = {"X": "exports", "M": "imports"}
STAGES = ("inflate_1p", "inflate_2p", "reader", "reader_parquet", "ingest")
LABELS = {
    "inflate_1p": "inflate only, 1 process (limit)",
    "inflate_2p": "inflate only, 2 processes (limit)",
    "reader": "reader: DBF → Arrow",
    "reader_parquet": "reader + zstd Parquet",
    "ingest": "`comercio ingest sunat-microdata`",
}


# -- inputs -----------------------------------------------------------------------------------------------
def _records(path: Path) -> int:
    """The record count the DBF header of a zip announces (the reader checks it against the file)."""
    with zipfile.ZipFile(path) as zf, zf.open(zf.namelist()[0]) as member:
        return int(struct.unpack("<I", member.read(8)[4:8])[0])


def prepare(rows: int, seed: int, work: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """The weekly twin, ``rows`` lines per flow, cached under ``work`` (a ``ready.json`` marks it done)."""
    base = work / f"ingest-weekly-{rows}-s{seed}"
    done = cached(base)
    if done is not None:
        return done
    from comercio.config import Settings
    from comercio.ingest import build
    from comercio.synth.weekly import generate_weekly, targets_from_warehouse
    from comercio.warehouse import Warehouse

    shutil.rmtree(base, ignore_errors=True)
    log("ingest: building the calibration warehouse (BCRP, SUNAT cuadros) from the mirror")
    settings = Settings.from_env(home=base / "calibration")
    wh = Warehouse(settings)
    build(wh, settings, sources=("bcrp", "sunat-cuadros"))
    info: dict[str, Any] = {"rows": rows, "seed": seed, "weeks": f"{FIRST}:{LAST}"}
    for flow in FLOWS:
        log(f"ingest: generating {rows:,} weekly {FLOWS[flow]} lines")
        targets, months = targets_from_warehouse(wh, FIRST, LAST, flow)
        t0 = time.perf_counter()
        result = generate_weekly(
            rows, seed, base / flow.lower(), first=FIRST, last=LAST, targets=targets, flows=flow,
            bcrp_months=months,
        )  # fmt: skip
        files = sorted(p.resolve() for p in result.files)
        info[flow] = {
            "files": [str(p) for p in files],
            "records": sum(_records(p) for p in files),
            "zip_bytes": sum(p.stat().st_size for p in files),
            "generate_s": round(time.perf_counter() - t0, 1),
        }
    shutil.rmtree(base / "calibration", ignore_errors=True)
    mark_ready(base, info)
    return info


# -- child side -------------------------------------------------------------------------------------------
def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime + _fork_server_cpu()


def _fork_server_cpu() -> float:
    """CPU seconds of the loader's fork server and of the worker processes it has reaped (they are not
    this process's children, so ``RUSAGE_CHILDREN`` misses them); 0 without one or without ``/proc``."""
    import multiprocessing.forkserver as fs

    pid = getattr(getattr(fs, "_forkserver", None), "_forkserver_pid", None)
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def _inflate(files: list[str]) -> tuple[int, float]:
    """Inflate every member to memory (zipfile checks each CRC-32): the bytes inflated, the CPU seconds."""
    total, c0 = 0, _cpu()
    for name in files:
        with zipfile.ZipFile(name) as zf:
            for member in zf.namelist():
                total += len(zf.read(member))
    return total, _cpu() - c0


def _split(files: list[str], parts: int) -> list[list[str]]:
    """Files dealt to ``parts`` workers by size, largest first, each to the least loaded."""
    loads: list[tuple[int, list[str]]] = [(0, []) for _ in range(parts)]
    for name in sorted(files, key=lambda f: -Path(f).stat().st_size):
        i = min(range(parts), key=lambda k: loads[k][0])
        loads[i] = (loads[i][0] + Path(name).stat().st_size, [*loads[i][1], name])
    return [names for _, names in loads]


def _timed(
    fn: Callable[[], Any], repeats: int, cpu: Callable[[Any], float] | None = None, settle: float = 0.0
) -> dict[str, Any]:
    """Wall and CPU seconds of ``fn``, median of ``repeats``; ``cpu(value)`` when workers count their own;
    CPU read ``settle`` seconds after the wall time (exited workers reaped by their fork server)."""
    walls, cpus, value = [], [], None
    for _ in range(max(1, repeats)):
        c0, t0 = _cpu(), time.perf_counter()
        value = fn()
        walls.append(time.perf_counter() - t0)
        time.sleep(settle)
        cpus.append(_cpu() - c0 if cpu is None else cpu(value))
    return {
        "times_s": [round(t, 4) for t in walls],
        "median_s": round(statistics.median(walls), 4),
        "cpu_s": round(statistics.median(cpus), 3),
        "value": value,
    }


def inflate(job: dict[str, Any]) -> dict[str, Any]:
    """Child: the inflate-only limit on ``job["processes"]`` processes (workers started before timing)."""
    files, procs = list(job["files"]), int(job["processes"])
    if procs <= 1:
        result = _timed(lambda: _inflate(files), int(job["repeats"]))
    else:
        parts = _split(files, procs)
        with ProcessPoolExecutor(procs) as pool:
            list(pool.map(_inflate, [[] for _ in range(procs)]))  # start the workers outside the timing
            result = _timed(lambda: list(pool.map(_inflate, parts)), int(job["repeats"]), _worker_cpu)
    result["value"] = sum(b for b, _ in result["value"]) if procs > 1 else result["value"][0]
    return result


def _worker_cpu(value: list[tuple[int, float]]) -> float:
    return sum(c for _, c in value)


def reader(job: dict[str, Any]) -> dict[str, Any]:
    """Child: the reader alone (``write`` False) or with each file written as zstd Parquet."""
    import pyarrow.parquet as pq

    from comercio.sources.sunat_microdata import iter_microdata

    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)

    def once() -> int:
        lines = 0
        for src in job["files"]:
            writer: pq.ParquetWriter | None = None
            for batch in iter_microdata(Path(src)):
                lines += batch.num_rows
                if job["write"]:
                    if writer is None:
                        target = out / (Path(src).stem + ".parquet")
                        writer = pq.ParquetWriter(target, batch.schema, compression="zstd")
                    writer.write_batch(batch)
            if writer is not None:
                writer.close()
        return lines

    return _timed(once, int(job["repeats"]))


def command(job: dict[str, Any]) -> dict[str, Any]:
    """Child: ``comercio ingest sunat-microdata`` (the same ``ingest`` call) into an empty warehouse."""
    from comercio.config import Settings
    from comercio.ingest import ingest
    from comercio.warehouse import Warehouse

    files = [Path(f) for f in job["files"]]
    home = Path(job["out"]) / "warehouse"

    def once() -> int:
        shutil.rmtree(home, ignore_errors=True)  # every run loads into an empty warehouse
        report = ingest(Warehouse(Settings(home=home)), "sunat-microdata", files)
        return sum(r.vintage.rows for r in report.results)

    return _timed(once, int(job["repeats"]), settle=0.2)


# -- parent side ------------------------------------------------------------------------------------------
def _jobs(files: list[str], out: Path, repeats: int) -> dict[str, dict[str, Any]]:
    entry = "comercio.bench._ingest:"
    common = {"kind": "ingest", "files": files, "repeats": repeats}
    return {
        "inflate_1p": {**common, "entry": entry + "inflate", "processes": 1},
        "inflate_2p": {**common, "entry": entry + "inflate", "processes": 2},
        "reader": {**common, "entry": entry + "reader", "write": False, "out": str(out / "reader")},
        "reader_parquet": {**common, "entry": entry + "reader", "write": True, "out": str(out / "parquet")},
        "ingest": {**common, "entry": entry + "command", "out": str(out / "ingest")},
    }


def measure(files: list[str], records: int, out: Path, jobs: Path, repeats: int) -> dict[str, Any]:
    """Every stage on ``files`` (one child process each); rates and ratios to the 2-process limit."""
    from comercio.bench._run import run_job

    stages: dict[str, Any] = {}
    for stage, job in _jobs(files, out, repeats).items():
        job["system"] = f"{stage}-{Path(files[0]).name[:2] if files else ''}"
        stages[stage] = run_job(job, jobs)
        stages[stage]["lines_per_s"] = round(records / stages[stage]["median_s"]) if records else None
    limit = stages["inflate_2p"]["median_s"]
    for stage in stages.values():
        stage["vs_limit"] = round(stage["median_s"] / limit, 2) if limit else None
    return {"records": records, "files": len(files), "stages": stages}


def run(config: BenchConfig, work: Path, jobs: Path, log: Callable[[str], None]) -> dict[str, Any]:
    rows = 20_000 if config.quick else config.ingest_rows
    repeats = config.repeats if config.repeats is not None else (1 if rows >= 10**7 else 3)
    data = prepare(rows, config.seed, work, log)
    section: dict[str, Any] = {"rows": rows, "weeks": data["weeks"], "repeats": repeats, "flows": {}}
    for flow, name in FLOWS.items():
        log(f"ingest: {name}, {data[flow]['records']:,} lines in {len(data[flow]['files'])} weekly files")
        out = work / f"ingest-out-{flow.lower()}"
        result = measure(data[flow]["files"], data[flow]["records"], out, jobs, repeats)
        result["zip_bytes"] = data[flow]["zip_bytes"]
        section["flows"][flow] = result
        shutil.rmtree(out, ignore_errors=True)
        rate = result["stages"]["ingest"]["lines_per_s"]
        log(f"ingest: {name}: {rate:,} lines/s, {result['stages']['ingest']['vs_limit']}× the limit")
    return section


def targets(section: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for flow, name in FLOWS.items():
        res = section.get("flows", {}).get(flow)
        if res is None:
            continue
        ing = res["stages"]["ingest"]
        where = f"{res['records']:,} {name} lines, {res['files']} weekly files"
        if flow == "X":
            out.append(_target("ingest exports ≥ 1 000 000 lines/s (`comercio ingest`, 2 cores)",
                               ing.get("lines_per_s"), GOALS["lines_per_s"], "min", where))  # fmt: skip
        out.append(_target(f"ingest {name} ≤ 1.5× the inflate-only limit (2 processes)",
                           ing.get("vs_limit"), GOALS["vs_limit"], "max", where))  # fmt: skip
    return out


def _n(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}".replace(",", " ")


def render(section: dict[str, Any]) -> list[str]:
    lines = [
        "### Ingest: SUNAT weekly microdata against the inflate-only limit",
        "",
        f"Weekly twin files {section.get('weeks', '')} (SUNAT's layout), {section.get('repeats')} runs each, "
        "median. Lines = records in the files; × limit = wall time ÷ the 2-process inflate-only time.",
        "",
        "| flow | stage | lines/s | wall s | CPU s | × limit | peak MiB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for flow, name in FLOWS.items():
        res = section.get("flows", {}).get(flow)
        if res is None:
            continue
        for stage in STAGES:
            s = res["stages"].get(stage, {})
            lines.append(
                f"| {name} ({res['records']:,} lines, {res['zip_bytes'] / 2**20:,.1f} MiB zipped) | "
                f"{LABELS[stage]} | {_n(s.get('lines_per_s'))} | {s.get('median_s', '–')} | "
                f"{s.get('cpu_s', '–')} | {s.get('vs_limit', '–')} | {s.get('peak_rss_mib', '–')} |"
            )
    lines += [
        "",
        "The limit inflates each zip member to memory (CRC-32 checked) and decodes nothing. The reader "
        "decodes only the fields comercio keeps, column-wise over blocks of records (bounded memory); "
        "`ingest` adds hashing, corrections against the archive and the atomic vintaged load. CPU s counts "
        "the measuring process and the workers it waited for (the inflate workers report their own), and "
        "for `ingest` the loader's worker processes (their fork server's reaped children, once they exit "
        "at the end of each run): steadier than wall time on a shared machine.",
    ]
    return lines
