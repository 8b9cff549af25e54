"""SUNAT customs microdata (``x*.zip`` exports, ``ma*.zip`` imports) → ``customs_lines`` Arrow batches.

Each zip holds one dBase III file, one record per declaration *series* (SUNAT_LAYOUTS.md §1). The reader
streams fixed-width record blocks (bounded memory: a weekly import file is ~260 MB) and decodes them with
vectorised numpy/Arrow code (:mod:`comercio.sources._dbf`); decompression runs in a second thread.

Rules, and why:
- deleted records (``*`` flag) are skipped and counted, as dBase tools do;
- an empty UBIGEO is never dropped: the line goes to department ``"99"`` with region_basis ``unattributed``
  so totals still add up (BCRP's "No registrado");
- imports are valued CIF = FOB + freight + insurance (SUNAT's import statistics basis), exports FOB;
- hs_version is the Arancel in force on the numbering date (2007 only from 2007-04-01);
- a bad line raises :class:`ParseError` (file, record, field, reason), or with ``quarantine=True`` goes to
  a :class:`QuarantineReport` and the load continues — bad lines never vanish silently; a file of garbage
  costs bounded time and memory (bad lines are counted in bulk, the first few described);
- impossible values are bad lines: NaN, infinity, negative or implausibly large amounts, dates outside the
  file's period (from its name, :mod:`comercio.sources.weekly`: a weekly file holds the lines regularised
  that week, numbered up to a year before it) or after today; every line carries ``file_date``, the last
  day of that period;
- code fields (office, year, number, series, UBIGEO, subpartida) may be stored as numbers, which lose their
  leading zeros, or as characters: they are zero-padded, then validated; a numeric country field is refused
  (no table of numeric country codes exists);
- the trader's name is read only to tell SUNAT's masked natural persons (``No Disponible…``):
  ``trader_masked``; the lines stay in every total;
- the known fields are SUNAT_LAYOUTS.md §1a/§1b (:mod:`comercio.sources._microdata_layout`): unknown
  fields are ignored and reported, a missing field a role needs is a ParseError, a missing optional one is
  reported;
- the DBF header's record count must match the file, and a zip member's CRC-32 and size are verified;
- synthetic files carry a ``SYNTH`` field (``S``); lines from them are ``synthetic=True`` and the file is
  labelled synthetic even without its ``LEEME`` file; every line must repeat the first line's marker.
"""

from __future__ import annotations

import queue
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import pyarrow as pa

from comercio.errors import ParseError
from comercio.sources import _dbf
from comercio.sources._microdata_build import Error, build_batch, validate_block
from comercio.sources._microdata_layout import (
    EXPORT_FIELDS,
    EXPORT_LAYOUT,
    IMPORT_FIELDS,
    IMPORT_LAYOUT,
    Layout,
    detect_layout,
    field_notes,
)
from comercio.sources._microdata_parquet import is_synthetic, iter_lines, open_lines
from comercio.sources._microdata_ref import FileSpan, file_span
from comercio.sources._text import check_file
from comercio.sources.protocol import LateNotes, Part, Reader, ReadOptions, ReadResult, by_stem
from comercio.warehouse.schema import CUSTOMS_LINES

__all__ = [
    "EXPORT_FIELDS",
    "EXPORT_LAYOUT",
    "IMPORT_FIELDS",
    "IMPORT_LAYOUT",
    "READER",
    "Layout",
    "MicrodataStream",
    "QuarantineReport",
    "detect_layout",
    "iter_microdata",
    "read",
    "read_microdata",
]


@dataclass
class QuarantineReport:
    """Lines set aside instead of loaded: how many, their value and why (never silently dropped).

    ``reasons`` counts every line by field and reason; :meth:`table` describes the first
    :data:`DETAILS` lines one by one (record, field, reason with the value), so memory stays bounded.
    """

    file: str
    count: int = 0
    value_usd: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)
    _rows: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def room(self) -> int:
        """How many more lines may still be described one by one."""
        return max(0, DETAILS - len(self._rows))

    def add(self, record: int, field_name: str, reason: str, value: float | None) -> None:
        self.count += 1
        if value is not None and np.isfinite(value):
            self.value_usd += float(value)
        self.reasons[f"{field_name}: {reason.split(' (value ', 1)[0]}"] += 1
        self._describe([(record, field_name, reason, value)])

    def add_block(self, count: int, value: float, reasons: Counter[str], details: list[Error]) -> None:
        """Count a block's bad lines in bulk and keep the described ones while there is room."""
        self.count += count
        self.value_usd += value
        self.reasons.update(reasons)
        self._describe(details)

    def _describe(self, details: list[Error]) -> None:
        for record, field_name, reason, value in details[: self.room]:
            self._rows.append(
                {
                    "source": self.file,
                    "record": record,
                    "field": field_name,
                    "reason": reason,
                    "value_usd": value,
                }
            )

    def table(self) -> pa.Table:
        schema = pa.schema(
            [("source", pa.string()), ("record", pa.int64()), ("field", pa.string()),
             ("reason", pa.string()), ("value_usd", pa.float64())]
        )  # fmt: skip
        return pa.Table.from_pylist(self._rows, schema=schema)


DETAILS = 1000  # bad lines described one by one in a quarantine report; the rest are counted
BLOCK_BYTES = 16 << 20  # records decoded at a time (3 blocks in flight): memory does not grow with the file
SYNTHETIC_MARKS = ("S", "1", "T", "Y")


def _open(path: Path, stack: ExitStack) -> IO[bytes]:
    """The DBF byte stream of a ``.zip`` (exactly one ``.dbf`` inside) or of a bare ``.dbf``."""
    check_file(path)
    if path.suffix.lower() != ".zip":
        return stack.enter_context(path.open("rb"))
    try:
        zf = stack.enter_context(zipfile.ZipFile(path))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ParseError(f"not a readable zip archive (truncated or corrupt): {why}", file=path.name) from exc
    members = [n for n in zf.namelist() if n.lower().endswith(".dbf")]
    if len(members) != 1:
        raise ParseError(f"expected exactly one .dbf in the zip, found {members or 'none'}", file=path.name)
    try:
        member = stack.enter_context(zf.open(members[0]))
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise ParseError(f"cannot open {members[0]} in the zip: {exc}", file=path.name) from exc
    return cast(IO[bytes], _dbf.SizedStream(member, zf.getinfo(members[0]).file_size, path.name))


def _prefetch(blocks: Iterator[tuple[int, np.ndarray]]) -> Iterator[tuple[int, np.ndarray]]:
    """Read (decompress) the next block in a background thread while the current one is parsed."""
    q: queue.Queue[tuple[int, np.ndarray] | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def worker() -> None:
        try:
            for item in blocks:
                if stop.is_set():
                    return
                q.put(item)
            q.put(None)
        except BaseException as exc:  # re-raised in the consumer thread
            q.put(exc)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a worker waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(0.05)


class MicrodataStream(Iterator[pa.RecordBatch]):
    """Iterator of ``customs_lines`` batches with counters filled as it goes.

    ``records`` (all records read), ``deleted`` (skipped ``*`` records), ``rows`` (lines emitted), ``layout``
    and ``quarantine`` (a :class:`QuarantineReport`, only filled when quarantining).
    """

    def __init__(self, path: Path, batch_rows: int, quarantine: bool) -> None:
        self.path = Path(path)
        self.source = self.path.name
        self.span: FileSpan = file_span(self.source)  # a date code that does not parse fails here
        self.fields_noted: tuple[str, ...] = ()  # what the file's fields made the reader ignore or leave
        self.quarantine = QuarantineReport(self.source)
        self.records = self.deleted = self.rows = 0
        self._quarantine = quarantine
        self._batch_rows = max(1, int(batch_rows))
        self._gen = self._generate()
        self.layout: Layout | None = None
        self.marker: str | None = None  # the first line's synthetic marker, repeated by every line

    def __next__(self) -> pa.RecordBatch:
        return next(self._gen)

    def _generate(self) -> Iterator[pa.RecordBatch]:
        file = self.source
        with ExitStack() as stack:
            stream = _open(self.path, stack)
            header = _dbf.read_header(stream, file)
            self.layout = detect_layout(header, self.source)
            fields = self.layout.resolve(header, file)
            self.fields_noted = field_notes(header, self.layout)
            seen = np.empty(0, dtype=np.uint64)
            span = self.span
            rows = max(1, min(self._batch_rows, BLOCK_BYTES // header.record_length))
            blocks = _dbf.iter_blocks(stream, header, rows, file)
            if header.records > rows:  # several blocks: inflate the next one while this one is decoded
                blocks = _prefetch(blocks)
            for first, block in blocks:
                self.records += block.shape[0]
                live = block[:, 0] != ord("*")
                self.deleted += int((~live).sum())
                recnos = first + np.flatnonzero(live)
                kept = block if live.all() else block[live]  # no copy when nothing is deleted
                if self.marker is None and "synth" in fields and kept.shape[0]:
                    self.marker = _marker(kept[0], fields["synth"])
                details = self.quarantine.room if self._quarantine else 1
                parsed = validate_block(
                    kept, recnos, fields, self.layout.flow, seen, file,
                    span=span, marker=self.marker, details=details,
                )  # fmt: skip
                seen = parsed.seen
                if parsed.bad:
                    if not self._quarantine:
                        rec, fname, reason, _ = parsed.errors[0]
                        raise ParseError(reason, file=file, record=rec, field=fname)
                    self.quarantine.add_block(parsed.bad, parsed.bad_value, parsed.reasons, parsed.errors)
                batch = build_batch(parsed, self.layout.flow, self.source, file_date=span.file_date)
                self.rows += batch.num_rows
                if batch.num_rows:
                    yield batch


def iter_microdata(path: Path, *, batch_rows: int = 200_000, quarantine: bool = False) -> MicrodataStream:
    """Stream a SUNAT microdata file as ``customs_lines`` record batches in bounded memory.

    Returns a :class:`MicrodataStream` (an iterator of ``pa.RecordBatch``) whose ``quarantine`` attribute
    holds the set-aside lines when ``quarantine=True``; otherwise the first bad line raises ParseError.
    """
    return MicrodataStream(Path(path), batch_rows, quarantine)


def read_microdata(path: Path, *, quarantine: bool = False) -> pa.Table:
    """Read a (small) microdata file whole, conformed to the ``customs_lines`` schema."""
    stream = iter_microdata(path, quarantine=quarantine)
    batches = list(stream)
    table = pa.Table.from_batches(batches, schema=CUSTOMS_LINES.schema)
    return CUSTOMS_LINES.conform(table, file=Path(path).name)


def _marker(record: np.ndarray, synth: _dbf.DbfField) -> str:
    """A record's synthetic marker (the ``SYNTH`` field's text)."""
    return bytes(record[synth.offset : synth.offset + synth.length]).decode("latin-1").strip()


def _marked_synthetic(path: Path) -> bool:
    """Whether the file's first live line carries the synthetic marker (read up to that line only)."""
    with ExitStack() as stack:
        stream = _open(path, stack)
        header = _dbf.read_header(stream, path.name)
        if "SYNTH" not in header.names:
            return False
        for _, block in _dbf.iter_blocks(stream, header, 16, path.name):  # a few records at a time
            live = block[block[:, 0] != ord("*")]
            if live.shape[0]:
                return _marker(live[0], header.field("SYNTH")) in SYNTHETIC_MARKS
    return False


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The ingest protocol: one ``customs_lines`` slice per file, ``microdata-<stem>``, streamed.

    A DBF zip is decoded block by block as the loader writes (decompression runs in a second thread), so
    memory does not grow with the file; the count of quarantined lines is known once the rows are written.
    Parquet written by the synthetic twin is checked (schema) and streamed as it is. A file is synthetic
    when its folder has the LEEME file or its lines carry the synthetic marker.
    """
    path = Path(path)
    file_span(path.name)  # a date code in the name that does not parse: refused before anything is read
    slice_ = f"microdata-{path.stem}"
    leeme = (path.parent / "LEEME_DATOS_SINTETICOS.txt").exists()
    if path.suffix.lower() == ".parquet":
        parquet = open_lines(path)
        synthetic = leeme or is_synthetic(parquet, path.name)
        return ReadResult(
            (Part("customs_lines", slice_, iter_lines(parquet, path.name)),), synthetic=synthetic
        )
    synthetic = _marked_synthetic(path) or leeme
    stream = iter_microdata(path, quarantine=options.quarantine)

    def notes() -> tuple[str, ...]:
        said = [*stream.fields_noted]
        if stream.deleted:
            said.append(f"deleted records (*) skipped: {stream.deleted}")
        out = [f"{path.name}: {text}" for text in said]  # one line each: ingest groups them across files
        q = stream.quarantine
        if q.count:
            why = "; ".join(f"{reason}: {n}" for reason, n in q.reasons.most_common(5))
            out.append(f"{path.name}: {q.count} lines quarantined, US$ {q.value_usd:,.2f} ({why})")
        return tuple(out)

    return ReadResult((Part("customs_lines", slice_, stream),), synthetic=synthetic, notes=LateNotes(notes))


READER = Reader(
    read=read,
    targets=by_stem("customs_lines", "microdata-"),
    files="x*.zip, ma*.zip or synthetic *.parquet",
    read_ahead=2,
    quarantine=True,
)
