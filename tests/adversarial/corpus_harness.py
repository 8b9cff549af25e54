"""The corpus harness: good base inputs, a baseline warehouse, the CLI run as a user runs it, and the verdict.

The base inputs are small good files derived from the real-data mirror (the cuadros cut to their last three
sheets, the WTO table cut to a few years) and from comercio's own synthetic writers. The baseline warehouse
holds all of them; every case runs ``comercio ingest SOURCE PATH…`` on a copy of it and compares the
warehouse (catalog rows and every data file) before and after.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import comercio

# Outcomes. "clear": refused with one clear line; "reported": an explicit reported exclusion/no-op the issue
# allows; the rest are failures.
CLEAR, REPORTED = "clear", "reported"
TRACEBACK, SILENT, UNCLEAR, CHANGED = "traceback", "silent", "unclear", "changed-on-error"
INSTALL_MARKERS = ("site-packages", ".venv", str(Path(comercio.__file__).resolve().parents[1]))


@dataclass
class Base:
    """The good inputs every case derives from (absolute paths; ``None`` when that source is not there)."""

    root: Path
    files: dict[str, Path] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Path:
        return self.files[key]


def sources() -> dict[str, object]:
    from comercio.sources import SOURCES

    return dict(SOURCES)


def has_source(name: str) -> bool:
    return name in sources()


def has_g6() -> bool:
    src = sources().get("sunat-cuadros")
    return any(r.key == "g6" for r in getattr(src, "resources", ()))


ROWISH = ("row", "record", "line")


@dataclass(frozen=True)
class Case:
    """One bad input: what it is, how it is made from the base, and what the command must do.

    expect: "refuse" (non-zero exit, one clear line naming the file, warehouse unchanged); "unchanged"
    (the same content again: recognised, nothing loaded); "quarantine" (refused, or loaded with the bad
    lines set aside and reported); "synthetic" (loaded, and labelled synthetic).
    where: words the message must contain one of (row/record/line, a column name).
    needs: "g6" or "wto": the case exists only once that reader is registered.
    """

    id: str
    source: str
    fault: str
    make: Callable[[Base, Path], list[Path]]
    args: tuple[str, ...] = ()
    expect: str = "refuse"
    where: tuple[str, ...] = ()
    needs: str | None = None


def shared_data_dir() -> Path:
    """The real-data mirror (as tests/conftest.py finds it)."""
    env = os.environ.get("COMERCIO_SHARED_DATA")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[3] / "shared" / "data"


# --- running the CLI in-process -------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    crash: str | None  # the traceback of an exception that escaped the CLI's top level

    @property
    def text(self) -> str:
        return self.out + self.err + (self.crash or "")


@contextlib.contextmanager
def _env(home: Path, cwd: Path) -> Iterator[None]:
    old_env = {k: os.environ.get(k) for k in ("COMERCIO_HOME", "COLUMNS")}
    old_cwd = Path.cwd()
    os.environ["COMERCIO_HOME"] = str(home)
    os.environ["COLUMNS"] = "400"
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def cli(argv: list[str], *, home: Path, cwd: Path) -> Run:
    """``comercio ARGV`` through its real entry point (``comercio.cli.main``), output captured."""
    from comercio.cli import main

    out, err = io.StringIO(), io.StringIO()
    code, crash = 0, None
    with _env(home, cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # what a user would see as a traceback
            crash = traceback.format_exc()
            code = 1
    return Run(code, out.getvalue(), err.getvalue(), crash)


def cli_process(argv: list[str], *, home: Path, cwd: Path) -> Run:
    """``comercio ARGV`` in a new process (``python -m comercio.cli``), exactly as a user runs it."""
    import subprocess

    env = {**os.environ, "COMERCIO_HOME": str(home), "COLUMNS": "400"}
    env.pop("COMERCIO_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "comercio.cli", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    crash = proc.stderr if "Traceback" in proc.stderr else None
    return Run(proc.returncode, proc.stdout, proc.stderr, crash)


# --- the warehouse before and after ---------------------------------------------------------------------


def snapshot(home: Path) -> dict[str, str]:
    """Every file under ``home`` but the download cache and the lock, by sha256; the catalog by its rows."""
    out: dict[str, str] = {}
    for path in sorted(home.rglob("*")):
        rel = path.relative_to(home).as_posix()
        if not path.is_file() or rel.startswith("cache/") or rel.endswith(".lock"):
            continue
        if rel.startswith("catalog.duckdb"):
            continue
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    out["<catalog>"] = catalog_rows(home)
    return out


def catalog_rows(home: Path) -> str:
    """The catalog's rows as text, read from a copy (no lock taken on the warehouse under test)."""
    import tempfile

    import duckdb

    src = home / "catalog.duckdb"
    if not src.exists():
        return "<no catalog>"
    with tempfile.TemporaryDirectory() as tmp:
        for f in home.glob("catalog.duckdb*"):
            shutil.copyfile(f, Path(tmp) / f.name)
        con = duckdb.connect(str(Path(tmp) / "catalog.duckdb"), read_only=True)
        try:
            rows = con.execute("SELECT * FROM loads ORDER BY vintage").fetchall()
        finally:
            con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def current_vintages(home: Path) -> list[dict[str, object]]:
    from comercio.config import Settings
    from comercio.warehouse import Warehouse

    return [v.as_dict() for v in Warehouse(Settings(home=home), read_only=True).vintages()]


# --- the verdict ------------------------------------------------------------------------------------------

# A process id shows up next to the words that introduce it; the bare number of the test's own process is not
# searched for, as it collides with the figures of a message ("drops 2022 (US$ 628 040 578.0 M)").
_PID = re.compile(r"\bpid\b|\bprocess \d+|\bheld by \d+|\bowner \d+", re.IGNORECASE)


def message_problems(run: Run, names: tuple[str, ...], where: tuple[str, ...] = ()) -> list[str]:
    """Why the refusal's message is not clear (empty: it is)."""
    problems: list[str] = []
    err = run.err.strip()
    if "Traceback" in run.text:
        problems.append("traceback in output")
    if run.code != 2 or "please report" in err:
        problems.append(f"exit code {run.code}: not a bad-input refusal (2)")
    if not err:
        problems.append("nothing on stderr")
    if len(err.splitlines()) > 1:
        problems.append(f"{len(err.splitlines())} lines on stderr")
    if names and not any(n in err for n in names):
        problems.append(f"does not name the file ({' or '.join(names)})")
    if where and not any(w.lower() in err.lower() for w in where):
        problems.append(f"does not say where ({' / '.join(where)})")
    for marker in INSTALL_MARKERS:
        if marker in err:
            problems.append(f"shows an install path ({marker})")
    if _PID.search(err):
        problems.append("shows a process id")
    return problems


def first_line(text: str) -> str:
    return next((line for line in text.strip().splitlines() if line.strip()), "")[:300]


def python() -> str:
    return sys.executable
