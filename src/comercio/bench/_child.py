"""The child interpreter of a benchmark job: runs one system on one dataset and writes its result.

Kept apart from :mod:`comercio.bench._run` (which starts the child and samples its memory) so the systems
(``_regional``, ``_baci``) can use the timing helpers of ``_run`` without an import loop.
"""

from __future__ import annotations

import json
from pathlib import Path

from comercio.errors import ComercioError


def _own_high_water_mib() -> float | None:
    """VmHWM of this process: peak resident memory since exec (reset by exec, unlike ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:  # pragma: no cover - not Linux
        pass
    return None


def child_main(argv: list[str]) -> None:
    """Entry point of the child interpreter: ``argv`` = job file, result file."""
    spec, out = Path(argv[0]), Path(argv[1])
    job = json.loads(spec.read_text(encoding="utf-8"))
    kind = job["kind"]
    if kind == "regional":
        from comercio.bench._regional import run_system

        result = run_system(job)
    elif kind == "baci":
        from comercio.bench._baci import run_system as run_baci

        result = run_baci(job)
    elif kind == "ingest":
        from comercio.bench._regional import run_ingest

        result = run_ingest(job)
    else:
        raise ComercioError(f"unknown benchmark job kind {kind!r}", file=spec, field="kind")
    result["child_hwm_mib"] = _own_high_water_mib()
    out.write_text(json.dumps(result, default=str), encoding="utf-8")
