"""Ingest: read a source's files and load them into the warehouse, one vintage per file and slice.

This is the only place that connects readers (``comercio.sources``) to the warehouse, and it is one loop for
every source of the registry: fetch (or take the given paths) → skip what is unchanged → read → refuse on a
failed hard check → load each part atomically → keep reference assets. Re-ingesting an unchanged file is a
no-op; a revised file becomes a new vintage.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from comercio import _ingest_workers, reference
from comercio._ingest_workers import Batch
from comercio.config import Settings
from comercio.errors import ConfigError, SourceError, ValidationError
from comercio.sources import download
from comercio.sources.protocol import Reader, ReadOptions, ReadResult
from comercio.sources.registry import BUILD_SOURCES, SOURCES, Source, get_source
from comercio.warehouse import FileRef, LoadResult, Provenance, Warehouse, file_ref
from comercio.warehouse.loads import Loader
from comercio.warehouse.shrink import Comparison

PARSER_VERSION = "1"


@dataclass
class IngestReport:
    source: str
    results: list[LoadResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [r.summary() for r in self.results] + group_notes(self.notes)


GROUP_FROM = 3  # the same note about this many files or more is said once


def group_notes(notes: list[str]) -> list[str]:
    """Notes of many files said once: ``file: text`` repeated for several files becomes
    ``text — N files (first … last)``, and ``file: text: N`` counts are summed. Order is kept."""
    groups: dict[str, list[tuple[str, int | None]]] = {}
    for note in notes:
        name, sep, text = note.partition(": ")
        head, colon, tail = text.rpartition(": ")
        count = int(tail) if colon and tail.isdigit() else None
        key = head if count is not None else text
        groups.setdefault(key if sep else note, []).append((name if sep else "", count))
    out = []
    for key, items in groups.items():
        names = [n for n, _ in items if n]
        counts = [c for _, c in items if c is not None]
        if len(names) < GROUP_FROM:
            out += [f"{n}: {key}" + (f": {c}" if c is not None else "") if n else key for n, c in items]
            continue
        total = f": {sum(counts):,}" if counts else ""
        out.append(f"{key}{total} — {len(names):,} files ({names[0]} … {names[-1]})")
    return out


def _ref(path: Path, fetched: dict[Path, download.FetchedFile]) -> FileRef:
    f = fetched.get(path)
    if f is not None:
        return FileRef(name=path.name, sha256=f.sha256, url=f.url, retrieved_at=f.retrieved_at)
    return file_ref(path)


def skip_unchanged(wh: Warehouse, dataset: str, slice_: str, prov: Provenance) -> LoadResult | None:
    """The "unchanged" result when this slice's current vintage came from exactly these files, else None."""
    same = wh.loader.unchanged(dataset, slice_, prov)
    return LoadResult(dataset, slice_, "unchanged", same) if same is not None else None


def _all_unchanged(wh: Warehouse, targets: Iterable[tuple[str, str]], prov: Provenance) -> list[LoadResult]:
    """The "unchanged" results when every target holds these files already, else an empty list."""
    done = [skip_unchanged(wh, dataset, slice_, prov) for dataset, slice_ in targets]
    return [d for d in done if d is not None] if done and all(done) else []


def _paths(
    src: Source, paths: Iterable[Path], settings: Settings, files: dict[Path, download.FetchedFile]
) -> list[Path]:
    """The given paths, or the cached downloads of ``src``; every one must exist."""
    path_list = [Path(p) for p in paths]
    if not path_list:
        if not src.resources:
            what = src.reader.files if src.reader else "its files"
            raise ConfigError(
                f"{src.name} is not downloaded: give the paths of its files ({what})",
                field="paths",
                hint=f"`comercio ingest {src.name} PATH…`",
            )
        cached = download.cached(src, settings)
        files.update({f.path: f for f in cached})
        path_list = [f.path for f in cached]
    missing = [p for p in path_list if not p.is_file()]
    if missing:  # before anything is loaded, so that a typo loads nothing
        what = "a directory, not a file" if missing[0].is_dir() else "no such file"
        raise SourceError(what, file=missing[0], hint=f"give the path of a {src.name} file")
    return path_list


def ingest(
    wh: Warehouse,
    source: str,
    paths: Iterable[Path] = (),
    *,
    settings: Settings | None = None,
    fetched: Iterable[download.FetchedFile] = (),
    quarantine: bool = False,
    accept_shrink: bool = False,
    progress: bool = False,
) -> IngestReport:
    """Load ``paths`` (or, when none are given, the cached downloads of ``source``).

    ``quarantine`` (readers that support it: item-level microdata) sets bad lines aside, reporting their
    count and value, instead of refusing the file. ``accept_shrink`` lets a new vintage drop members, periods
    or value compared with the current one (an empty load is refused all the same). A file whose content is
    already loaded under another name is reported and skipped. ``progress``: a progress bar counting the
    files to load, on a terminal only.
    """
    src = get_source(source)
    if quarantine and not (src.reader and src.reader.quarantine):
        able = ", ".join(s.name for s in SOURCES.values() if s.reader and s.reader.quarantine)
        raise ConfigError(f"--quarantine applies to {able}, not to {source!r}")
    settings = settings or wh.settings
    files = {f.path: f for f in fetched}
    path_list = _paths(src, paths, settings, files)
    report = IngestReport(source)
    if src.reader is None:
        report.notes += [f"{p.name}: kept in the download cache (not a warehouse table)" for p in path_list]
        return report
    options = ReadOptions(settings, quarantine)
    with wh.catalog.session():
        todo = _distinct(wh, [(p, _provenance(src.name, _ref(p, files))) for p in path_list], report)
        _run(wh, src.reader, todo, options, report, accept_shrink, progress)
    return report


def _distinct(
    wh: Warehouse, todo: list[tuple[Path, Provenance]], report: IngestReport
) -> list[tuple[Path, Provenance]]:
    """Drop files whose content (sha256) is already current under another name, or given twice."""
    seen: dict[str, str] = {}
    out = []
    for path, prov in todo:
        ref = prov.files[0]
        if ref.sha256 in seen:
            report.notes.append(f"{ref.name}: same content as {seen[ref.sha256]} (given twice); not loaded")
            continue
        seen[ref.sha256] = ref.name
        same = wh.loader.same_content(prov.source, ref)
        if same is not None:
            v, name = same
            report.notes.append(
                f"{ref.name}: same content as {name} already loaded in {v.dataset}/{v.slice}; "
                "not loaded again"
            )
            continue
        out.append((path, prov))
    return out


def preview(wh: Warehouse, source: str, path: Path) -> list[tuple[str, str, Comparison | None]]:
    """What ingesting ``path`` would change: per slice it feeds, the comparison with the current vintage
    (None: the slice has none yet). Nothing is loaded."""
    src = get_source(source)
    if src.reader is None:
        raise ConfigError(f"{source} feeds no warehouse table", field="source")
    (path,) = _paths(src, [path], wh.settings, {})
    result = src.reader.read(path, ReadOptions(wh.settings))
    refused = result.refusal()
    if refused is not None:
        raise ValidationError(refused.detail, file=path.name)
    prov = Provenance(src.name, (file_ref(path),), f"{src.name}/{PARSER_VERSION}", extra=dict(result.extra))
    loader = Loader(wh.settings.data_dir, wh.catalog)
    return [
        (p.dataset, p.slice, loader.preview(p.dataset, p.slice, p.rows, prov, conform=p.conform))
        for p in result.parts
    ]


def _provenance(source: str, ref: FileRef) -> Provenance:
    return Provenance(source, (ref,), f"{source}/{PARSER_VERSION}")


def _run(
    wh: Warehouse,
    reader: Reader,
    todo: list[tuple[Path, Provenance]],
    options: ReadOptions,
    report: IngestReport,
    accept_shrink: bool = False,
    progress: bool = False,
) -> None:
    pending: list[tuple[Path, Provenance]] = []
    for path, prov in todo:
        targets = reader.targets(path)
        done = _all_unchanged(wh, targets, prov) if targets else []
        if done:
            report.results += done
        else:
            pending.append((path, prov))
    batch = Batch(wh, report.results, report.notes)
    with (
        download.files_progress(
            progress and len(pending) > 1, f"ingest {report.source}", len(pending)
        ) as step,
        batch.loader.scratch.shared(),
    ):
        try:
            jobs = _ingest_workers.jobs(reader, pending, options, batch)
            for job, staging in _ingest_workers.staged_in_order(jobs) if jobs else ():
                if staging.ok:
                    batch.add(staging, job.path)
                else:  # read here again: the same error, or the same load, as without workers
                    result = reader.read(job.path, options)
                    _load(wh, job.path, job.provenance, result, report, accept_shrink, batch)
                step()
            for (path, prov), result in _read_all(reader, [] if jobs else pending, options):
                if reader.targets(path) is None:  # the slices were only known once read
                    done = _all_unchanged(wh, (p.target for p in result.parts), prov)
                    if done:
                        report.results += done
                        step()
                        continue
                _load(wh, path, prov, result, report, accept_shrink, batch)
                step()
        except Exception:
            batch.commit()  # the files before the failing one are loaded, as if one at a time
            raise
        except BaseException:
            batch.discard()
            raise
        batch.commit()


def _read_all(
    reader: Reader, pending: list[tuple[Path, Provenance]], options: ReadOptions
) -> Iterator[tuple[tuple[Path, Provenance], ReadResult]]:
    """Each file's read result, in order; with ``read_ahead``, the next files are read in worker threads
    while the previous one is written (memory: at most ``read_ahead + 1`` read files at a time)."""
    if reader.read_ahead < 1:
        for item in pending:
            yield item, reader.read(item[0], options)
        return
    with ThreadPoolExecutor(max_workers=reader.read_ahead) as pool:
        window: deque[tuple[tuple[Path, Provenance], Future[ReadResult]]] = deque()
        queue = iter(pending)
        for item in islice(queue, reader.read_ahead):
            window.append((item, pool.submit(reader.read, item[0], options)))
        while window:
            item, future = window.popleft()
            result = future.result()
            nxt = next(queue, None)
            if nxt is not None:
                window.append((nxt, pool.submit(reader.read, nxt[0], options)))
            yield item, result


def _load(
    wh: Warehouse,
    path: Path,
    prov: Provenance,
    result: ReadResult,
    report: IngestReport,
    accept_shrink: bool,
    batch: Batch,
) -> None:
    refused = result.refusal()
    if refused is not None:
        raise ValidationError(refused.detail, file=path)
    prov = Provenance(
        prov.source, prov.files, prov.parser, synthetic=result.synthetic, extra=dict(result.extra)
    )
    if result.keep:  # reference assets are copied once the rows are in
        batch.commit()
    marked = [batch.load(part, prov, accept_shrink) for part in result.parts]
    if result.keep:
        batch.commit()
    for file, dest in result.keep:
        _keep(file, dest)
    report.notes += [f"{c.name}: {c.detail}" for c in result.checks if not c.hard]
    report.notes += result.notes
    if result.synthetic or any(marked):  # the rows' marker counts too
        report.notes.append(f"{path.name}: datos sintéticos / synthetic data")


def _keep(file: Path, dest: Path) -> None:
    """Copy ``file`` to ``dest`` atomically (a reader never finds half a file); same bytes: left alone."""
    if dest.is_file() and filecmp.cmp(file, dest, shallow=False):
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(file, tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_reference(wh: Warehouse) -> IngestReport:
    """Register every reference classification as a warehouse table ``ref_<name>``."""
    report = IngestReport("reference")
    with wh.catalog.session():
        for name in reference.names():
            info = reference.info(name)
            prov = Provenance(
                "reference",
                (file_ref(info.path),),
                f"reference/{PARSER_VERSION}",
                extra={"title": info.title},
            )
            done = skip_unchanged(wh, f"ref_{name}", name, prov)
            if done is not None:
                report.results.append(done)
                continue
            report.results.append(wh.load(f"ref_{name}", name, reference.load(name), prov, conform=False))
    return report


def build(
    wh: Warehouse,
    settings: Settings,
    *,
    sources: Iterable[str] = BUILD_SOURCES,
    accept_shrink: bool = False,
) -> list[IngestReport]:
    """Fetch and ingest every configured official source, then the reference tables."""
    reports = [load_reference(wh)]
    for name in sources:
        fetched = download.fetch(name, settings)
        paths = [f.path for f in fetched]
        reports.append(
            ingest(wh, name, paths, settings=settings, fetched=fetched, accept_shrink=accept_shrink)
        )
    return reports


__all__ = ["IngestReport", "build", "ingest", "load_reference", "preview", "skip_unchanged"]
