"""Ingest: read a source's files and load them into the warehouse, one vintage per file or table.

This is the only place that connects readers (``comercio.sources``) to the warehouse. Each ingester takes
paths (from ``comercio fetch`` or given by the user), checks what the reader reports (reconciliation
totals, subtotals), and loads atomically. Re-ingesting an unchanged file is a no-op.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from comercio import reference
from comercio.config import Settings
from comercio.errors import ConfigError, SourceError, ValidationError
from comercio.sources import download
from comercio.sources.registry import SOURCES
from comercio.warehouse import FileRef, LoadResult, Provenance, Warehouse, file_ref

PARSER_VERSION = "1"


@dataclass
class IngestReport:
    source: str
    results: list[LoadResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [r.summary() for r in self.results] + self.notes


def _ref(path: Path, fetched: dict[Path, download.FetchedFile]) -> FileRef:
    f = fetched.get(path)
    if f is not None:
        return FileRef(name=path.name, sha256=f.sha256, url=f.url, retrieved_at=f.retrieved_at)
    return file_ref(path)


def _provenance(source: str, ref: FileRef, *, synthetic: bool = False, **extra: object) -> Provenance:
    return Provenance(source, (ref,), f"{source}/{PARSER_VERSION}", synthetic=synthetic, extra=dict(extra))


def skip_unchanged(wh: Warehouse, dataset: str, slice_: str, prov: Provenance) -> LoadResult | None:
    """The "unchanged" result when this slice's current vintage came from exactly these files, else None."""
    same = wh.loader.unchanged(dataset, slice_, prov)
    return LoadResult(dataset, slice_, "unchanged", same) if same is not None else None


def _ingest_bcrp(wh: Warehouse, path: Path, ref: FileRef, report: IngestReport) -> None:
    from comercio.sources.bcrp import read_bcrp

    prov = _provenance("bcrp", ref)
    # One file feeds two datasets: skip only when both hold it, so that a run interrupted between the two
    # loads is completed by the next one (each load is a no-op when its own dataset already has the file).
    done = skip_unchanged(wh, "bcrp_departments", "departments", prov)
    done_totals = skip_unchanged(wh, "bcrp_department_totals", "departments", prov)
    if done is not None and done_totals is not None:
        report.results += [done, done_totals]
        return
    result = read_bcrp(path)
    if not result.all_ok:
        bad = [r for r in result.checks.to_pylist() if not r["ok"]]
        raise ValidationError(
            f"departments + No registrado differ from the published Total in {len(bad)} month(s), first "
            f"{bad[0]['period']}: {bad[0]['difference_usd']:.2f} US$",
            file=path,
        )
    report.results.append(wh.load("bcrp_departments", "departments", result.records, prov))
    if result.totals.num_rows:
        n = result.totals.num_rows
        totals = result.totals.append_column("flow", pa.array(["X"] * n))
        totals = totals.append_column("value_basis", pa.array(["FOB"] * n))
        totals = totals.append_column("source", pa.array([path.name] * n))
        report.results.append(wh.load("bcrp_department_totals", "departments", totals, prov))


def _ingest_cuadro(wh: Warehouse, path: Path, ref: FileRef, report: IngestReport) -> None:
    from comercio.sources.sunat_cuadros import CuadroResult, read_cuadro, table_from_name

    # The slice is the table (G1, F1…); when the file name does not tell it, the title does, so read first:
    # skipping on one name and loading under another would make every re-ingest a new vintage.
    result: CuadroResult | None = None
    table = table_from_name(path)
    if table is None:
        result = read_cuadro(path)
        table = result.table
    done = skip_unchanged(wh, "sunat_cuadros", table, _provenance("sunat-cuadros", ref, table=table))
    if done is not None:
        report.results.append(done)
        return
    result = result or read_cuadro(path)
    failed = [c for c in result.checks if not c.ok]
    # The publisher's own subtotal differences, as read from the file, go into the vintage's provenance so
    # that `comercio validate` can tell a difference of SUNAT's table from a row our load lost or changed.
    differences = [
        {"path": c.path, "period": c.period.isoformat(), "difference_usd": c.difference}
        for c in failed
        if c.kind == "children"
    ]
    prov = _provenance(
        "sunat-cuadros",
        ref,
        table=result.table,
        subtotal_checks=sum(1 for c in result.checks if c.kind == "children"),
        publisher_differences=differences,
    )
    report.results.append(wh.load("sunat_cuadros", result.table, result.rows, prov))
    report.notes.append(
        f"{result.table}: {len(result.checks):,} subtotal checks, {len(failed)} differences reported "
        "(see `comercio validate`)"
    )


def _ingest_infotrade(wh: Warehouse, path: Path, ref: FileRef, report: IngestReport) -> None:
    from comercio.sources.infotrade import read_infotrade

    prov = _provenance("infotrade", ref)
    done = skip_unchanged(wh, "infotrade", path.stem, prov)
    if done is not None:
        report.results.append(done)
        return
    result = read_infotrade(path)
    report.results.append(wh.load("infotrade", path.stem, result.rows, prov))


def _ingest_declarations(wh: Warehouse, path: Path, ref: FileRef, report: IngestReport) -> None:
    from comercio.sources.declarations import read_declarations

    prov = _provenance("sunat-declarations", ref)
    done = skip_unchanged(wh, "customs_lines", f"declarations-{path.stem}", prov)
    if done is not None:
        report.results.append(done)
        return
    report.results.append(
        wh.load("customs_lines", f"declarations-{path.stem}", read_declarations(path), prov)
    )


def _ingest_hs(wh: Warehouse, path: Path, ref: FileRef, report: IngestReport) -> None:
    import pyarrow.csv as pacsv

    prov = _provenance("hs2022", ref)
    done = skip_unchanged(wh, "ref_hs2022", "hs2022", prov)
    if done is not None:
        report.results.append(done)
        return
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    table = table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
    report.results.append(wh.load("ref_hs2022", "hs2022", table, prov, conform=False))


def _ingest_file_only(wh: Warehouse, path: Path, ref: FileRef, report: IngestReport) -> None:
    report.notes.append(f"{path.name}: kept in the download cache (used by reports, not a table)")


Ingester = Callable[[Warehouse, Path, FileRef, IngestReport], None]

INGESTERS: dict[str, Ingester] = {
    "bcrp": _ingest_bcrp,
    "sunat-cuadros": _ingest_cuadro,
    "infotrade": _ingest_infotrade,
    "sunat-declarations": _ingest_declarations,
    "hs2022": _ingest_hs,
    "boundaries": _ingest_file_only,
    "nandina": _ingest_file_only,
}

# What `comercio build` fetches and ingests, in order.
BUILD_SOURCES: tuple[str, ...] = ("bcrp", "sunat-cuadros", "sunat-declarations", "boundaries", "hs2022")


def ingest(
    wh: Warehouse,
    source: str,
    paths: Iterable[Path] = (),
    *,
    settings: Settings | None = None,
    fetched: Iterable[download.FetchedFile] = (),
    quarantine: bool = False,
) -> IngestReport:
    """Load ``paths`` (or, when none are given, the cached downloads of ``source``).

    ``quarantine`` (item-level microdata only) sets bad lines aside, reporting their count and value, instead
    of refusing the file.
    """
    for module in _EXTRA_MODULES:  # importing them registers their ingesters
        importlib.import_module(module)
    if quarantine and source not in QUARANTINE_SOURCES:
        raise ConfigError(f"--quarantine applies to {', '.join(QUARANTINE_SOURCES)}, not to {source!r}")
    if source in EXTRA_INGESTERS:
        options = {"quarantine": True} if quarantine else {}
        with wh.catalog.session():
            return EXTRA_INGESTERS[source](wh, [Path(p) for p in paths], **options)
    if source not in INGESTERS:
        known = sorted(set(INGESTERS) | set(EXTRA_INGESTERS))
        raise ConfigError(f"unknown source {source!r}; known: {', '.join(known)}")
    settings = settings or wh.settings
    files = {f.path: f for f in fetched}
    path_list = [Path(p) for p in paths]
    if not path_list:
        cached = download.cached(source, settings)
        files.update({f.path: f for f in cached})
        path_list = [f.path for f in cached]
    missing = [p for p in path_list if not p.is_file()]
    if missing:  # before anything is loaded, so that a typo loads nothing
        raise SourceError("no such file", file=missing[0], hint=f"give the path of a {source} file")
    report = IngestReport(source)
    with wh.catalog.session():
        for path in path_list:
            INGESTERS[source](wh, path, _ref(path, files), report)
    return report


def load_reference(wh: Warehouse) -> IngestReport:
    """Register every reference classification as a warehouse table ``ref_<name>``."""
    report = IngestReport("reference")
    with wh.catalog.session():
        return _load_reference(wh, report)


def _load_reference(wh: Warehouse, report: IngestReport) -> IngestReport:
    for name in reference.names():
        info = reference.info(name)
        prov = Provenance(
            "reference", (file_ref(info.path),), f"reference/{PARSER_VERSION}", extra={"title": info.title}
        )
        done = skip_unchanged(wh, f"ref_{name}", name, prov)
        if done is not None:
            report.results.append(done)
            continue
        report.results.append(wh.load(f"ref_{name}", name, reference.load(name), prov, conform=False))
    return report


def build(wh: Warehouse, settings: Settings, *, sources: Iterable[str] = BUILD_SOURCES) -> list[IngestReport]:
    """Fetch and ingest every configured official source, then the reference tables."""
    reports = [load_reference(wh)]
    for name in sources:
        fetched = download.fetch(name, settings)
        reports.append(ingest(wh, name, [f.path for f in fetched], settings=settings, fetched=fetched))
    return reports


# Ingesters for item-level sources registered by their modules (microdata, world trade).
_EXTRA_MODULES = ("comercio.sources.baci_ingest", "comercio.sources.microdata_ingest")
EXTRA_INGESTERS: dict[str, Callable[..., IngestReport]] = {}
QUARANTINE_SOURCES = ("sunat-microdata",)

__all__ = ["BUILD_SOURCES", "INGESTERS", "SOURCES", "IngestReport", "build", "ingest", "load_reference"]
