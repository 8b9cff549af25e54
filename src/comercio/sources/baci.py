"""CEPII BACI reader: one release zip (``BACI_HS17_V202501.zip``) → ``world_trade`` record batches.

Layout of a release (CEPII, checked against the files users publish from V202201–V202601):

- ``BACI_HS17_Y2022_V202501.csv``, one per year, header ``t,i,j,k,v,q``: year, exporter and importer
  (CEPII numeric codes, mostly UN M49 but not always ISO: 842 USA, 251 France, 699 India, 490 "Other Asia,
  nes" = Taiwan with alpha-3 ``S19``), HS6 product, value in **thousands** of current US$, quantity in metric
  tonnes. Values are often right-aligned with spaces (``   0.357``); a missing quantity is ``NA`` or blank.
- ``country_codes_V202501.csv`` (``country_code,country_name,country_iso2,country_iso3``; older releases
  call the alpha-3 column ``iso_3digit_alpha``) and ``product_codes_HS17_V202501.csv`` (``code,description``).

Exporter and importer are mapped to alpha-3 **with the release's own country file** (never pycountry: BACI's
numeric codes deviate from ISO). The alpha-3 is kept as CEPII writes it (``S19`` stays ``S19``).

Rows whose exporter/importer code is not in the country file, or whose product is not a 5–6 digit code listed
in the release's product file, raise :class:`ParseError` naming member, line and column. So does what is never
data (:mod:`comercio.sources._baci_checks`): a negative, infinite, NaN or implausible value or quantity, a
(t, i, j, k) given twice, a member without the ``t,i,j,k,v,q`` columns (renamed, repeated, UTF-16, binary) or
without data lines. With an
:class:`ExclusionReport` passed in, they are excluded instead and counted there (rows, value, codes): never
dropped silently. A zip is marked synthetic when it holds a ``SYNTHETIC.txt`` member or its name contains
``_SYNTH`` (what :func:`comercio.synth.baci.generate_baci` writes).
"""

from __future__ import annotations

import re
import shutil
import uuid
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from comercio.errors import ParseError, SourceError
from comercio.sources._baci_checks import (
    COLUMNS,
    KeyTracker,
    check_amounts,
    check_member_header,
    check_small_members,
    read_code_table,
)
from comercio.sources._text import check_file
from comercio.sources.protocol import Part, Reader, ReadOptions, ReadResult, by_stem
from comercio.warehouse.schema import WORLD_TRADE

HS_REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
_ZIP_RE = re.compile(r"BACI_(HS\d\d)_V(\d{6}[a-z]?)", re.IGNORECASE)
_YEAR_RE = re.compile(r"^BACI_(HS\d\d)_Y(\d{4})_V(\w+)\.csv$", re.IGNORECASE)
_PRODUCTS_RE = re.compile(r"^product_codes_(HS\d\d)_V(\w+)\.csv$", re.IGNORECASE)
_COUNTRIES_RE = re.compile(r"^country_codes_V(\w+)\.csv$", re.IGNORECASE)
_COLUMNS = COLUMNS
_BYTES_PER_ROW = 48  # rough size of a BACI line, to turn batch_rows into a CSV block size


@dataclass
class ExclusionReport:
    """Rows left out on purpose: how many, their value (US$) and the offending codes per BACI column."""

    rows: int = 0
    value_usd: float = 0.0
    codes: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, column: str, codes: pa.Array, values: pa.Array) -> None:
        self.rows += len(codes)
        self.value_usd += float(pc.sum(values).as_py() or 0.0)
        self.codes.setdefault(column, Counter()).update(str(c) for c in codes.to_pylist())

    def __str__(self) -> str:
        detail = "; ".join(f"{col}: {dict(cnt.most_common(10))}" for col, cnt in self.codes.items())
        return f"{self.rows} rows excluded (US$ {self.value_usd:,.0f}) — {detail}"


@dataclass(frozen=True)
class BaciRelease:
    """What a release zip holds: revision, yearly members, code tables and whether it is synthetic."""

    path: Path
    hs_version: str
    years: dict[int, str]
    countries: dict[int, str]
    products: frozenset[str]
    synthetic: bool


def _member_map(names: list[str]) -> dict[str, str]:
    return {n.rsplit("/", 1)[-1]: n for n in names if not n.endswith("/")}


def open_release(zip_path: str | Path) -> BaciRelease:
    """Check a release zip's layout and read its country and product tables (small; loaded whole)."""
    path = Path(zip_path)
    check_file(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ParseError(
            f"not a readable zip ({why}); the download may be truncated", file=path.name
        ) from exc
    with zf:
        members = _member_map(zf.namelist())
        m = _ZIP_RE.search(path.name)
        year_members = {b: _YEAR_RE.match(b) for b in members}
        revisions = {ym.group(1).upper() for ym in year_members.values() if ym}
        hs_version = m.group(1).upper() if m else (revisions.pop() if len(revisions) == 1 else "")
        if hs_version not in HS_REVISIONS:
            raise ParseError("cannot tell the HS revision from the zip name or its members", file=path.name)
        years: dict[int, str] = {}
        for base, ym in year_members.items():
            if ym is None:
                continue
            if ym.group(1).upper() != hs_version:
                raise ParseError(
                    f"revision mismatch: zip is {hs_version} but member is {ym.group(1)}", file=path.name
                )
            years[int(ym.group(2))] = members[base]
        if not years:
            raise ParseError("no yearly BACI_<rev>_Y<year>_V<release>.csv member", file=path.name)
        prod = [b for b in members if _PRODUCTS_RE.match(b)]
        ctry = [b for b in members if _COUNTRIES_RE.match(b)]
        if len(prod) != 1 or len(ctry) != 1:
            raise ParseError(
                f"expected one product_codes and one country_codes member, found {prod + ctry}",
                file=path.name,
            )
        prev = _PRODUCTS_RE.match(prod[0])
        if prev is None or prev.group(1).upper() != hs_version:
            raise ParseError(
                f"revision mismatch: zip is {hs_version} but product file is {prod[0]}", file=path.name
            )
        countries: dict[int, str] = {}
        wanted = ("country_code", "country_iso3|iso_3digit_alpha")
        for n, row in enumerate(
            read_code_table(zf, members[ctry[0]], f"{path.name}!{ctry[0]}", wanted), start=2
        ):
            iso3 = (row.get("country_iso3") or row.get("iso_3digit_alpha") or "").strip()
            code = (row.get("country_code") or "").strip()
            if not code.isdigit() or not iso3:
                raise ParseError(
                    "bad country row", file=f"{path.name}!{ctry[0]}", row=n, column="country_code"
                )
            countries[int(code)] = iso3
        products: set[str] = set()
        for n, row in enumerate(
            read_code_table(zf, members[prod[0]], f"{path.name}!{prod[0]}", ("code",)), start=2
        ):
            code = (row.get("code") or "").strip()
            if not code.isdigit() or len(code) not in (5, 6):
                raise ParseError(
                    f"bad product code {code!r}", file=f"{path.name}!{prod[0]}", row=n, column="code"
                )
            products.add(code.zfill(6))
        synthetic = "SYNTHETIC.txt" in members or "_SYNTH" in path.name.upper()
        # the yearly members are verified as they stream, the code tables were read whole above
        check_small_members(zf, {*years.values(), members[ctry[0]], members[prod[0]]}, path.name)
    return BaciRelease(
        path, hs_version, dict(sorted(years.items())), countries, frozenset(products), synthetic
    )


def _first_bad(mask: pa.Array) -> int:
    return int(pc.index(mask, True).as_py())


class _Converter:
    """Turns one batch of raw BACI strings into ``world_trade`` columns, checking every cell."""

    def __init__(self, rel: BaciRelease, member: str, year: int, exclusions: ExclusionReport | None) -> None:
        self.rel, self.year, self.exclusions = rel, year, exclusions
        self.file = f"{rel.path.name}!{member}"
        self.keys = KeyTracker(self.file)
        self.codes = pa.array(sorted(rel.countries), pa.int64())
        self.iso3 = pa.array([rel.countries[c] for c in sorted(rel.countries)], pa.string())
        self.products = pa.array(sorted(rel.products), pa.string())

    def _number(self, col: pa.Array, name: str, line0: int, typ: pa.DataType) -> pa.Array:
        try:
            return pc.cast(col, typ)
        except pa.ArrowInvalid:
            ok = pc.match_substring_regex(col, r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
            bad = _first_bad(pc.invert(pc.fill_null(ok, False)))
            raise ParseError(
                f"not a number: {col[bad].as_py()!r}", file=self.file, row=line0 + bad, column=name
            ) from None

    def convert(self, batch: pa.RecordBatch, line0: int) -> pa.RecordBatch:
        cols = {c: pc.utf8_trim_whitespace(batch.column(c)) for c in _COLUMNS}
        t = self._number(cols["t"], "t", line0, pa.int32())
        wrong_year = pc.not_equal(t, self.year)
        if pc.any(wrong_year).as_py():
            bad = _first_bad(wrong_year)
            raise ParseError(
                f"year {t[bad].as_py()} in the {self.year} file", file=self.file, row=line0 + bad, column="t"
            )
        v = pc.multiply(self._number(cols["v"], "v", line0, pa.float64()), 1000.0)
        q_raw = cols["q"]
        q_null = pc.or_(pc.equal(q_raw, "NA"), pc.equal(q_raw, ""))
        q = self._number(pc.if_else(q_null, pa.scalar(None, pa.string()), q_raw), "q", line0, pa.float64())
        check_amounts(v, q, self.file, line0)
        k = cols["k"]
        keep = pa.array([True] * len(k))
        out: dict[str, pa.Array] = {}
        ij = {name: self._number(cols[name], name, line0, pa.int64()) for name in ("i", "j")}
        self.keys.add(ij["i"], ij["j"], k)
        for name, role in (("i", "exporter"), ("j", "importer")):
            idx = pc.index_in(ij[name], value_set=self.codes)
            unknown = pc.is_null(idx)
            keep = self._reject(
                unknown, cols[name], v, name, line0, keep, "country code not in the release's country file"
            )
            out[role] = pc.take(self.iso3, pc.fill_null(idx, 0))
        wellformed = pc.match_substring_regex(k, r"^\d{5,6}$")
        k6 = pc.utf8_lpad(k, 6, "0")
        bad_k = pc.or_(pc.invert(wellformed), pc.invert(pc.is_in(k6, value_set=self.products)))
        keep = self._reject(
            bad_k, k, v, "k", line0, keep, f"not a 6-digit {self.rel.hs_version} product of this release"
        )
        n = len(k)
        arrays = {
            "year": t,
            "exporter": out["exporter"],
            "importer": out["importer"],
            "hs6": k6,
            "hs_version": pa.array([self.rel.hs_version] * n, pa.string()),
            "value_usd": v,
            "quantity_t": q,
            "synthetic": pa.array([self.rel.synthetic] * n, pa.bool_()),
            "source": pa.array([self.rel.path.name] * n, pa.string()),
        }
        result = pa.RecordBatch.from_arrays(list(arrays.values()), schema=WORLD_TRADE.schema)
        return result if pc.all(keep).as_py() else result.filter(keep)

    def _reject(
        self, bad: pa.Array, raw: pa.Array, v: pa.Array, col: str, line0: int, keep: pa.Array, why: str
    ) -> pa.Array:
        if not pc.any(bad).as_py():
            return keep
        if self.exclusions is None:
            i = _first_bad(bad)
            raise ParseError(f"{why}: {raw[i].as_py()!r}", file=self.file, row=line0 + i, column=col)
        newly = pc.and_(bad, keep)
        self.exclusions.add(col, raw.filter(newly), v.filter(newly))
        return pc.and_(keep, pc.invert(bad))


def iter_baci(
    zip_path: str | Path,
    *,
    years: set[int] | None = None,
    batch_rows: int = 1_000_000,
    exclusions: ExclusionReport | None = None,
) -> Iterator[pa.RecordBatch]:
    """Stream a BACI release as ``world_trade`` record batches (at most ``batch_rows`` rows each).

    The yearly CSVs are read straight from the zip member stream, never extracted. ``years`` selects years
    (one missing from the zip raises :class:`SourceError` naming those available). Pass an
    :class:`ExclusionReport` to exclude-and-count unknown codes instead of failing.
    """
    rel = open_release(zip_path)
    wanted = sorted(rel.years) if years is None else sorted(years)
    missing = [y for y in wanted if y not in rel.years]
    if missing:
        raise SourceError(
            f"year(s) {missing} not in this release; available: {min(rel.years)}–{max(rel.years)} "
            f"({', '.join(map(str, rel.years))})",
            file=rel.path.name,
        )
    read_opts = pacsv.ReadOptions(block_size=max(1 << 16, min(batch_rows * _BYTES_PER_ROW, 1 << 30)))
    conv_opts = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in _COLUMNS}, include_columns=list(_COLUMNS)
    )
    with zipfile.ZipFile(rel.path) as zf:
        for year in wanted:
            member = rel.years[year]
            converter = _Converter(rel, member, year, exclusions)
            line = 2  # first data line (the header is line 1)
            check_member_header(zf, member, converter.file)
            try:
                with zf.open(member) as stream:
                    reader = pacsv.open_csv(stream, read_options=read_opts, convert_options=conv_opts)
                    for raw in reader:
                        for start in range(0, raw.num_rows, batch_rows):
                            chunk = raw.slice(start, batch_rows)
                            yield converter.convert(chunk, line)
                            line += chunk.num_rows
                converter.keys.finish(2)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, pa.ArrowInvalid) as exc:
                raise ParseError(
                    f"cannot read past this line ({exc}); the zip may be truncated or the CSV malformed",
                    file=f"{rel.path.name}!{member}",
                    row=line,
                ) from exc


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The ingest protocol: one ``world_trade`` slice per release zip (its stem), rows streamed.

    A new release of the same revision becomes a new vintage of its own slice; a zip marked synthetic gives a
    synthetic vintage, so every report built on it says so.
    """
    release = open_release(path)
    return ReadResult(
        (Part("world_trade", Path(path).stem, iter_baci(path)),),
        extra={"hs_version": release.hs_version, "years": sorted(release.years)},
        synthetic=release.synthetic,
    )


READER = Reader(read=read, targets=by_stem("world_trade"), files="a BACI release zip (BACI_HSxx_Vyyyymm.zip)")


@dataclass(frozen=True)
class PartitionedWrite:
    """Result of :func:`write_baci_partitioned`: rows and value per year, files written, exclusions."""

    out_dir: Path
    rows: dict[int, int]
    value_usd: dict[int, float]
    files: tuple[Path, ...]
    exclusions: ExclusionReport | None


def write_baci_partitioned(
    zip_path: str | Path,
    out_dir: str | Path,
    *,
    years: set[int] | None = None,
    exclusions: bool = False,
    batch_rows: int = 1_000_000,
    rows_per_file: int = 5_000_000,
) -> PartitionedWrite:
    """Store a release as Parquet under ``out_dir/year=YYYY/part-NNNNN.parquet`` in bounded memory.

    Hive layout as DuckDB's ``COPY … PARTITION_BY`` writes it: the ``year`` column lives in the directory
    name, not in the files (read back with ``hive_partitioning``). Only one batch is held at a time. The write
    is all-or-nothing: files go to a hidden staging directory and each finished ``year=`` directory replaces
    the previous one only when the whole release has been read; a failure leaves ``out_dir`` as it was.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stage = out / f".staging-{uuid.uuid4().hex}"
    report = ExclusionReport() if exclusions else None
    file_schema = pa.schema([f for f in WORLD_TRADE.schema if f.name != "year"])
    writers: dict[int, tuple[pq.ParquetWriter, int, int]] = {}  # year → (writer, part number, rows in part)
    rows: Counter[int] = Counter()
    value: dict[int, float] = {}
    files: list[Path] = []

    def open_part(year: int, part: int) -> pq.ParquetWriter:
        target = stage / f"year={year}" / f"part-{part:05d}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        files.append(target)
        return pq.ParquetWriter(target, file_schema, compression="zstd")

    try:
        for batch in iter_baci(zip_path, years=years, batch_rows=batch_rows, exclusions=report):
            if batch.num_rows == 0:
                continue
            year = int(batch.column(0)[0].as_py())  # one yearly member at a time: one year per batch
            writer, part, in_part = writers.get(year) or (open_part(year, 0), 0, 0)
            if in_part >= rows_per_file:
                writer.close()
                writer, part, in_part = open_part(year, part + 1), part + 1, 0
            writer.write_batch(batch.drop_columns(["year"]))
            writers[year] = (writer, part, in_part + batch.num_rows)
            rows[year] += batch.num_rows
            value[year] = value.get(year, 0.0) + float(pc.sum(batch.column("value_usd")).as_py() or 0.0)
        for writer, _, _ in writers.values():
            writer.close()
        for year in writers:
            final = out / f"year={year}"
            if final.exists():
                shutil.rmtree(final)
            (stage / f"year={year}").rename(final)
    except BaseException:
        for writer, _, _ in writers.values():
            writer.close()
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    moved = tuple(out / p.relative_to(stage) for p in files)
    return PartitionedWrite(out, dict(rows), dict(value), moved, report)
