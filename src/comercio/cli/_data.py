"""Data commands: fetch, ingest, build, validate, diff, ``warehouse status`` and ``warehouse aggregate``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer

from comercio.cli._common import OutputFormat, console, emit, settings
from comercio.errors import ConfigError
from comercio.sources import BUILD_SOURCES, SOURCES

# The warehouse, the readers and the downloader are imported inside each command: `--help` loads none of them.

_DOWNLOADABLE = [name for name, src in SOURCES.items() if src.resources or src.weekly]
_DATE = ["%Y-%m-%d"]
_FLOW_HELP = "weekly microdata: x (exports), m (imports) or both"

_ACCEPT_SHRINK = (
    "load a new vintage even if it drops members, periods or value compared with the current one "
    "(see `comercio diff DATASET --file PATH`); empty loads are refused all the same"
)

warehouse_app = typer.Typer(help="Inspect the warehouse.")


@warehouse_app.command("status")
def warehouse_status(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json"),
    slices: bool = typer.Option(
        False, "--slices", help="list every slice@vintage (json always does; else many are summarised)"
    ),
) -> None:
    """List datasets with grain, vintages, rows and value totals (during a load: the last committed state)."""
    from comercio.warehouse import Warehouse
    from comercio.warehouse.status import notes as wh_notes
    from comercio.warehouse.status import status as wh_status

    wh = Warehouse(settings(), read_only=True)
    rows = wh_status(wh, slices=slices or fmt is OutputFormat.json)
    if not rows and fmt is OutputFormat.table:
        console.print("The warehouse is empty: run `comercio build`.")
    else:
        emit(rows, fmt, title="comercio warehouse")
    for note in wh_notes(wh):
        if fmt is OutputFormat.table:
            console.print(note, highlight=False, markup=False)
        else:  # machine formats keep stdout parseable
            typer.echo(note, err=True)


@warehouse_app.command("aggregate")
def warehouse_aggregate() -> None:
    """Write the per-vintage aggregates (region cube and maturity rows) of vintages loaded without them, so
    reports read them instead of rescanning the lines, and index them all in one file per kind, beside a
    listing of every data file with its footer statistics and correction records (so a month's read opens
    only the files that may hold it); idempotent (loads write their own aggregates already)."""
    from comercio.warehouse import Warehouse
    from comercio.warehouse.aggregates import complete

    wh = Warehouse(settings())
    done = complete(wh.catalog, wh.settings.data_dir)
    console.print(f"{done:,} vintages gained aggregates" if done else "Every vintage has its aggregates.")


def fetch(
    sources: list[str] = typer.Argument(
        None,
        help=f"sources to download: {', '.join(_DOWNLOADABLE)}",
    ),
    force: bool = typer.Option(False, "--force", help="download again even if cached or archived"),
    optional: bool = typer.Option(False, "--optional", help="also fetch optional resources"),
    api: bool = typer.Option(
        False, "--api", help="wto: read WTO's time-series API (key: COMERCIO_WTO_API_KEY), not the bulk file"
    ),
    start: dt.datetime | None = typer.Option(
        None,
        "--from",
        formats=_DATE,
        help="sunat-microdata: first day of the weeks to fetch (required the first time; "
        "default: after the newest archived week)",
    ),
    end: dt.datetime | None = typer.Option(
        None, "--to", formats=_DATE, help="sunat-microdata: last day (default: today)"
    ),
    flow: str = typer.Option("both", "--flow", help=_FLOW_HELP),
) -> None:
    """Download official files into the cache (from the publisher, or COMERCIO_MIRROR); SUNAT's weekly
    microdata go into the archive (COMERCIO_HOME/archive), kept for good."""
    from comercio.sources import fetch as fetch_source

    s = settings()
    if api:
        from comercio.sources.wto import fetch_api

        if sources and sources != ["wto"]:
            raise ConfigError("--api applies to the wto source only", field="--api")
        got = fetch_api(s, force=force)
        state = "cached" if got.from_cache else "downloaded"
        console.print(f"wto: {got.path} {state}, {got.size:,} bytes (load it: `comercio ingest wto PATH`)")
        return
    names = sources or list(BUILD_SOURCES)
    weekly = [n for n in names if n in SOURCES and SOURCES[n].weekly is not None]
    if (start or end) and not weekly:
        raise ConfigError("--from and --to apply to sunat-microdata only", field="--from")
    for name in names:
        if name in weekly:
            _fetch_weekly(start, end, flow, force)
            continue
        for f in fetch_source(name, s, force=force, include_optional=optional):
            state = "cached" if f.from_cache else f"downloaded via {f.via}"
            console.print(f"{name}: {f.path.name} {state} — {f.size:,} bytes, sha256 {f.sha256[:12]}…")


def _fetch_weekly(start: dt.datetime | None, end: dt.datetime | None, flow: str, force: bool) -> None:
    """``fetch sunat-microdata``: the weeks of --from … --to into the archive, one line per file."""
    from comercio.sources import archive

    s = settings()
    flow_list = archive.flows(flow)
    last = (end or dt.datetime.now()).date()
    if start is not None:
        report = archive.fetch_weeks(s, start.date(), last, flow_list, force=force)
    else:
        newest = [archive.Archive(s).newest(f) for f in flow_list]
        if any(d is None for d in newest):
            raise ConfigError(
                f"--from is required the first time: the archive holds no {archive.SOURCE} file "
                "of these flows",
                hint="e.g. --from 2026-01-05 (SUNAT keeps about the last two months online)",
            )
        first = min(d for d in newest if d is not None) + dt.timedelta(days=1)
        report = archive.fetch_weeks(s, first, max(first, last), flow_list, force=force, strict=False)
    lines = report.lines()
    for line in lines or [f"{archive.SOURCE}: the archive is up to date, no week has ended since its newest"]:
        console.print(f"{archive.SOURCE}: {line}" if lines else line, highlight=False, markup=False)
    report.raise_refused()


def ingest(
    source: str = typer.Argument(..., help=f"one of: {', '.join(SOURCES)}"),
    paths: list[Path] = typer.Argument(None, help="files to load (default: the fetched ones)"),
    quarantine: bool = typer.Option(
        False,
        "--quarantine",
        help="microdata: set bad lines aside (count and value reported) instead of failing",
    ),
    accept_shrink: bool = typer.Option(False, "--accept-shrink", help=_ACCEPT_SHRINK),
) -> None:
    """Load a source's files into the warehouse (atomic; re-loading the same file changes nothing)."""
    from comercio import ingest as ingest_mod
    from comercio.warehouse import Warehouse

    s = settings()
    wh = Warehouse(s)
    src = SOURCES.get(source)
    if not paths and src is not None and src.weekly is not None:
        from comercio.update import ingest_archive

        report = ingest_archive(wh, s, progress=True, quarantine=quarantine, accept_shrink=accept_shrink)
    else:
        report = ingest_mod.ingest(
            wh, source, paths or [], quarantine=quarantine, accept_shrink=accept_shrink, progress=True
        )
    for line in report.lines():
        console.print(line)


def update(
    flow: str | None = typer.Option(None, "--flow", help=f"{_FLOW_HELP} (default: the flows archived)"),
) -> None:
    """Fetch the weekly microdata published since the archive's newest week and ingest what is new.

    For cron: a second run changes nothing, and a run with nothing new prints nothing (exit 0)."""
    from comercio.sources.archive import flows
    from comercio.update import update as run_update
    from comercio.warehouse import Warehouse

    s = settings()
    report = run_update(Warehouse(s), s, flows(flow) if flow else None)
    for line in report.lines():
        console.print(line, highlight=False, markup=False)
    report.raise_refused()


def build(
    accept_shrink: bool = typer.Option(False, "--accept-shrink", help=_ACCEPT_SHRINK),
) -> None:
    """Fetch and ingest every configured official source, and the reference tables."""
    from comercio import ingest as ingest_mod
    from comercio.warehouse import Warehouse

    s = settings()
    wh = Warehouse(s)
    for report in ingest_mod.build(wh, s, accept_shrink=accept_shrink):
        for line in report.lines():
            console.print(f"[{report.source}] {line}", highlight=False, markup=False)


def validate(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """Reconcile every overlap (BCRP departments vs Total, BCRP vs SUNAT G1, cuadro subtotals)."""
    from comercio.validate import validate as run_validate
    from comercio.warehouse import Warehouse

    checks = run_validate(Warehouse(settings(), read_only=True))
    failed = [c for c in checks if c.kind == "hard" and not c.ok]
    if fmt is OutputFormat.json:
        print(json.dumps({"ok": not failed, "checks": [c.as_dict() for c in checks]}, default=str, indent=2))
    else:
        emit(
            [
                {
                    "check": c.name,
                    "kind": c.kind,
                    "ok": c.ok,
                    "compared": c.compared,
                    "failures": c.failures,
                    "detail": c.detail,
                }
                for c in checks
            ],
            OutputFormat.table,
            title="comercio validate",
        )
        for c in checks:
            if c.kind == "info" and c.rows:
                emit(c.rows, OutputFormat.table, title=c.name)
    if failed:
        raise typer.Exit(1)


def diff(
    dataset: str = typer.Argument(..., help="dataset, e.g. bcrp_departments"),
    limit: int = typer.Option(20, min=0, help="rows to show per slice"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json"),
    file: Path | None = typer.Option(
        None, "--file", help="compare this file (not loaded) with the current vintage instead"
    ),
    source: str | None = typer.Option(None, "--source", help="the source that reads --file (when ambiguous)"),
) -> None:
    """Show which periods and members moved between the last two vintages, and by how much; for customs
    lines, also the corrections later weekly files made (per file, and the largest)."""
    from comercio.warehouse import Warehouse
    from comercio.warehouse.diff import diff as diff_vintages

    if file is not None:
        _diff_file(dataset, file, source)
        return
    wh = Warehouse(settings(), read_only=True)
    diffs = diff_vintages(wh, dataset, limit=limit)
    if _diff_corrections(wh, dataset, limit, fmt, diffs):
        return
    if not diffs:
        console.print(f"{dataset}: only one vintage per slice, nothing to compare.")
        return
    _diff_vintages(diffs, fmt)


def _diff_vintages(diffs: list[Any], fmt: OutputFormat) -> None:
    for d in diffs:
        if fmt is OutputFormat.table:
            console.print(
                f"{d.dataset}/{d.slice}: v{d.old.number} → v{d.new.number}: {d.changed} rows moved "
                f"({d.added} added, {d.removed} removed)",
                highlight=False,
                markup=False,
            )
            for line in d.comparison.lines():
                console.print(f"  {line}", highlight=False, markup=False)
        emit(d.changes, fmt, title=f"{d.dataset}/{d.slice}")


def _diff_corrections(wh: Any, dataset: str, limit: int, fmt: OutputFormat, diffs: list[Any]) -> bool:
    """A dataset with corrections across files (customs lines): print them, then the vintages' diffs
    (json: one object ``{"files", "largest", "vintages"}``; csv: the largest corrections). False otherwise."""
    from comercio.warehouse.diff import corrections
    from comercio.warehouse.schema import get

    if not get(dataset).revision_key:
        return False
    found = corrections(wh, dataset, limit=limit)
    files = [f.as_dict() for f in found.files]
    if fmt is OutputFormat.json:
        vintages = [
            {"slice": d.slice, "old": d.old.number, "new": d.new.number, "changes": d.changes} for d in diffs
        ]
        print(
            json.dumps(
                {"files": files, "largest": found.largest, "vintages": vintages}, default=str, indent=2
            )
        )
        return True
    if fmt is OutputFormat.csv:
        emit(found.largest, fmt)
        return True
    console.print(found.summary(), highlight=False, markup=False)
    if files:
        shown = found.top(limit)
        emit([f.as_dict() for f in shown], fmt, title=f"{dataset}: corrections per file (largest first)")
        if len(files) > len(shown):
            console.print(f"… and {len(files) - len(shown):,} more files (--limit)", highlight=False)
        emit(found.largest, fmt, title=f"{dataset}: largest corrections (old file → new file)")
    if diffs:
        _diff_vintages(diffs, fmt)
    return True


def _diff_file(dataset: str, file: Path, source: str | None) -> None:
    """``diff --file``: what loading ``file`` would change, slice by slice (nothing is loaded)."""
    from comercio import ingest as ingest_mod
    from comercio.warehouse import Warehouse

    if source is None:
        able = [name for name, src in SOURCES.items() if src.dataset == dataset and src.declared_reader]
        if len(able) != 1:
            raise ConfigError(
                f"say which source reads {file.name}: --source {' or '.join(able) or 'NAME'}", field="source"
            )
        source = able[0]
    for ds, slice_, comparison in ingest_mod.preview(Warehouse(settings(), read_only=True), source, file):
        if comparison is None or comparison.first:
            console.print(f"{ds}/{slice_}: no current vintage; {file.name} would be the first", markup=False)
            for line in comparison.notes if comparison is not None else ():
                console.print(f"  {line}", highlight=False, markup=False)
            continue
        console.print(f"{ds}/{slice_}: current vintage → {file.name}", highlight=False, markup=False)
        for line in comparison.lines():
            console.print(f"  {line}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command()(fetch)
    app.command()(ingest)
    app.command()(update)
    app.command()(build)
    app.command()(validate)
    app.command()(diff)
