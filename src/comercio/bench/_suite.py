"""The benchmark frame: run every part in turn and collect one results document.

A part is a module ``comercio.bench._<name>`` exposing ``run(config, work, jobs, log) -> dict`` (its JSON
section), ``targets(section) -> list[dict]`` (built with :func:`_target`) and ``render(section) -> list[str]``
(Markdown). Parts are imported by name when the suite runs: a part whose module is absent or lacks the
interface is recorded as "not measured", a part that raises as "error", and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from comercio.errors import ComercioError, scrub, show_path

PARTS = ("ingest", "append", "regional", "latency", "query", "baci")  # order of the run and of the document
INTERFACE = ("run", "targets", "render")
NOT_MEASURED, ERROR, MEASURED = "not measured", "error", "measured"


@dataclass(frozen=True)
class BenchConfig:
    """What to run. ``systems``/``baci_systems`` None = every system of that part; ``repeats`` None = the
    part decides (3 below 10⁸ lines, 1 from 10⁸); ``quick`` = CI size, every part at a tiny size."""

    sizes: tuple[int, ...] = (10**6, 10**7, 10**8)
    systems: tuple[str, ...] | None = None
    baci_systems: tuple[str, ...] | None = None
    repeats: int | None = None
    run_all: bool = False
    ingest_rows: int = 10**6
    append_sizes: tuple[int, ...] = (10**6, 10**8)
    baci_rows: int = 10**7
    seed: int = 20240601
    work: Path = field(default_factory=lambda: Path("var/bench"))
    quick: bool = False
    parts: tuple[str, ...] = PARTS


# A part lives in ``comercio.bench._<part>`` unless named here (``_regional`` holds the child's systems).
MODULES = {"regional": "comercio.bench._regional_part"}


def module_name(part: str) -> str:
    return MODULES.get(part, f"comercio.bench._{part}")


def load_part(part: str) -> ModuleType | str:
    """The module of ``part``, or why it cannot be measured (absent, or without the part interface)."""
    name = module_name(part)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return f"no module {name}"
    missing = [f for f in INTERFACE if not callable(getattr(module, f, None))]
    if missing:
        return f"{name} has no {', '.join(missing)}"
    return module


def _message(exc: BaseException) -> str:
    """One line for the document: where and why (no hint, traceback, install path nor process id)."""
    if isinstance(exc, ComercioError):
        text = f"{show_path(exc.file)}: {exc.reason}" if exc.file else exc.reason
    else:
        lines = str(exc).strip().splitlines()
        text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return scrub(text).replace("\n", " ")


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _java() -> str | None:
    """First line of ``java -version`` (the Java PySpark starts: ``JAVA_HOME`` first, else the PATH)."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home and (Path(home) / "bin" / "java").exists() else None
    java = java or shutil.which("java")
    if java is None:
        return None
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if lines else None


def machine() -> dict[str, Any]:
    """CPUs, memory, platform, Python, Java and the load average now; ``quiet`` = 1-minute load < CPUs."""
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):  # pragma: no cover
        mem = None
    cpus = os.cpu_count()
    load = _loadavg()
    return {
        "cpus": cpus,
        "memory_gib": round(mem, 1) if mem else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "java": _java(),
        "loadavg_start": load,  # other work on the machine skews every time below
        "quiet": bool(cpus and load[0] < cpus),
    }


def versions() -> dict[str, str]:
    import duckdb
    import ibis
    import pandas
    import pyarrow

    out = {"duckdb": duckdb.__version__, "ibis": ibis.__version__, "pyarrow": pyarrow.__version__}
    out["pandas"] = pandas.__version__
    try:
        import pyspark

        out["pyspark"] = pyspark.__version__
    except ImportError:  # pragma: no cover
        pass
    return out


def _log(msg: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def run_part(
    part: str, config: BenchConfig, work: Path, jobs: Path, log: Callable[[str], None] = _log
) -> dict[str, Any]:
    """``{"status", "seconds", "section" | "reason"}`` of one part; never raises for the part's own faults."""
    t0 = time.perf_counter()
    try:
        module = load_part(part)
        if isinstance(module, str):
            log(f"{part}: not measured ({module})")
            return {"status": NOT_MEASURED, "reason": module}
        log(f"{part}: start")
        section = module.run(config, work, jobs, log)
    except Exception as exc:  # a failing part is a result too; the other parts still run
        log(f"{part}: error: {_message(exc)}")
        return {"status": ERROR, "reason": _message(exc), "seconds": round(time.perf_counter() - t0, 1)}
    seconds = round(time.perf_counter() - t0, 1)
    log(f"{part}: done in {seconds} s")
    return {"status": MEASURED, "seconds": seconds, "section": section}


def run_suite(config: BenchConfig, log: Callable[[str], None] = _log) -> dict[str, Any]:
    """Run every part ``config`` asks for and return the results document (not yet written)."""
    work = config.work.resolve()
    jobs = work / "jobs"
    doc: dict[str, Any] = {
        "format": 2,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()},
        "parts": {},
    }
    for part in config.parts:
        doc["parts"][part] = run_part(part, config, work, jobs, log)
    doc["targets"] = score_targets(doc)
    doc["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    doc["machine"]["loadavg_end"] = _loadavg()
    return doc


def score_targets(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every part's targets, tagged with the part; one row for a part not measured or failed."""
    out: list[dict[str, Any]] = []
    for part, result in doc.get("parts", {}).items():
        rows: list[dict[str, Any]]
        if result["status"] == MEASURED:
            module = load_part(part)
            try:
                if isinstance(module, str):
                    raise ComercioError(module)
                rows = list(module.targets(result["section"]))
            except Exception as exc:
                rows = [_missing(part, ERROR, f"targets: {_message(exc)}")]
        else:
            rows = [_missing(part, result["status"], result.get("reason"))]
        out += [{**row, "part": part} for row in rows]
    return out


def _missing(part: str, status: str, reason: str | None) -> dict[str, Any]:
    return {"target": f"{part}: every target", "goal": None, "value": None, "status": status, "where": reason}


def _target(name: str, value: float | None, goal: float, kind: str, where: str | None) -> dict[str, Any]:
    """A target row: ``kind`` "max" (value at most goal) or "min" (at least); ``miss_factor`` when missed."""
    if value is None:
        return {"target": name, "goal": goal, "value": None, "status": NOT_MEASURED, "where": where}
    ok = value <= goal if kind == "max" else value >= goal
    by = value / goal if kind == "max" else (goal / value if value else None)
    return {
        "target": name,
        "goal": goal,
        "value": value,
        "kind": kind,
        "status": "pass" if ok else "miss",
        "miss_factor": None if ok or by is None else round(by, 2),
        "where": where,
    }
