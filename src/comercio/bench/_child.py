"""The child interpreter of a benchmark job: runs one system on one dataset and writes its result.

Kept apart from :mod:`comercio.bench._run` (which starts the child and samples its memory) so the systems
(``_regional``, ``_baci``) can use the timing helpers of ``_run`` without an import loop.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from comercio.errors import ComercioError

# A job names the function that runs it (``"entry": "module:function"``, the function takes the job
# dictionary and returns a JSON-serialisable dictionary); these older kinds keep their short names.
_KINDS = {
    "regional": "comercio.bench._regional:run_system",
    "baci": "comercio.bench._baci:run_system",
}


def _own_high_water_mib() -> float | None:
    """VmHWM of this process: peak resident memory since exec (reset by exec, unlike ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:  # pragma: no cover - not Linux
        pass
    return None


def error_path(out: Path) -> Path:
    """Where a failing child writes the one line saying why (next to its result file)."""
    return out.with_name(out.name.removesuffix(".out.json") + ".error.txt")


def child_main(argv: list[str]) -> None:
    """Entry point of the child interpreter: ``argv`` = job file, result file."""
    spec, out = Path(argv[0]), Path(argv[1])
    job = json.loads(spec.read_text(encoding="utf-8"))
    entry = job.get("entry") or _KINDS.get(job["kind"])
    if entry is None:
        raise ComercioError(f"unknown benchmark job kind {job['kind']!r}", file=spec, field="kind")
    module, _, name = entry.partition(":")
    try:
        result: dict[str, Any] = getattr(importlib.import_module(module), name)(job)
    except Exception as exc:  # the parent reports this line; the traceback still goes to stderr
        text = str(exc).strip().splitlines()
        error_path(out).write_text(f"{type(exc).__name__}: {text[0] if text else ''}", encoding="utf-8")
        raise
    result["child_hwm_mib"] = _own_high_water_mib()
    out.write_text(json.dumps(result, default=str), encoding="utf-8")
