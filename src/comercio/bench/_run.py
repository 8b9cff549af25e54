"""Run one benchmark job in its own fresh interpreter and measure its wall time and peak memory.

Why a subprocess per system: peak resident memory is a per-process high-water mark, so two systems measured
in one interpreter would blur into each other (and a JVM started by PySpark never gives memory back). The
parent writes a job description to a JSON file, starts ``python -m comercio.bench._run job.json``, samples
the resident set of the child's whole process tree (the Spark JVM included) while it runs, and reads back
the result the child wrote next to the job. Wall times are measured *inside* the child, around the
computation only (imports, data generation and Spark start-up excluded).
"""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from comercio.bench._child import error_path
from comercio.errors import ComercioError

MIB = 1024 * 1024
_CHILD = "import sys; from comercio.bench._child import child_main; child_main(sys.argv[1:])"


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (psutil if installed, else /proc)."""
    try:
        import psutil

        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total
    except ImportError:  # pragma: no cover - psutil is normally present
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0


class _Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self.stop.wait(self.every)


def run_job(job: dict[str, Any], workdir: Path, *, timeout: float | None = None) -> dict[str, Any]:
    """Run ``job`` (``{"kind": ..., ...}``) in a child interpreter; its result plus ``peak_rss_mib``."""
    workdir.mkdir(parents=True, exist_ok=True)
    label = "/".join(str(x) for x in (job["kind"], job.get("system")) if x)
    name = f"job-{label.replace('/', '-')}-{int(job.get('rows', 0))}-{uuid.uuid4().hex[:8]}"
    spec, out = workdir / f"{name}.json", workdir / f"{name}.out.json"
    failed = error_path(out)
    spec.write_text(json.dumps(job), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(spec), str(out)])
    sampler = _Sampler(proc.pid)
    sampler.start()
    started = time.monotonic()
    try:
        proc.wait()
    finally:
        sampler.stop.set()
        sampler.join()
    elapsed = time.monotonic() - started
    if proc.returncode != 0 or not out.exists():
        why = failed.read_text(encoding="utf-8") if failed.exists() else f"exit code {proc.returncode}"
        raise ComercioError(
            f"benchmark job {label} failed: {why}",
            file=spec,
            hint=f"run it by hand: python -c {_CHILD!r} {spec} {out}",
        )
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    # The child's own high-water mark is exact; the sampler adds its descendants (the Spark JVM). Not
    # ru_maxrss: on Linux a forked child inherits the parent's maximum, which here includes data generation.
    result["peak_rss_mib"] = round(max(sampler.peak / MIB, result.get("child_hwm_mib") or 0.0), 1)
    result["process_seconds"] = round(elapsed, 2)
    if timeout is not None and elapsed > timeout:
        result["over_timeout"] = True
    return result


def timed(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Call ``fn`` ``repeats`` times; the wall times (s) and the last result."""
    times: list[float] = []
    value: Any = None
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return times, value


def summary(times: list[float]) -> dict[str, Any]:
    return {"times_s": [round(t, 4) for t in times], "median_s": round(statistics.median(times), 4)}
