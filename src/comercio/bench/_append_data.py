"""The append bench part's inputs: an archive of weekly ``customs_lines`` vintages written directly (each
with its key index and its aggregates, recorded in one catalog transaction) and the SUNAT weekly export zip
appended to it (:mod:`comercio.bench._append` measures)."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from comercio.bench._data import cached, mark_ready

WEEK_LINES = 60_000
OFFICES = (19, 28, 46, 82, 118, 127, 145, 163, 172, 181, 190, 235, 244, 262)  # SUNAT office codes
LAST = dt.date(2025, 11, 23)  # the archive's last week ends on this Sunday; the appended week follows
CHUNK = 25  # archive weeks indexed together


def _number_sql(per: int) -> str:
    """SQL for the declaration number of line ``i`` of the week ending ``d``: numbered per office and year,
    each week after the one before."""
    return (
        f"(((d - make_date(year(d), 1, 1)) // 7) * {math.ceil(per / len(OFFICES))} + i // {len(OFFICES)} + 1)"
    )


def _week_sql(end: dt.date, per: int, source: str) -> str:
    """The ``customs_lines`` rows of the archive week ending ``end`` (the dataset's columns and types)."""
    from comercio.warehouse.schema import CUSTOMS_LINES

    office = "[" + ", ".join(str(o) for o in OFFICES) + f"][1 + i % {len(OFFICES)}]"
    values = {
        "flow": "'X'",
        "date": "d - CAST(i % 20 AS INTEGER)",
        "period": "date_trunc('month', d - CAST(i % 20 AS INTEGER))::DATE",
        "declaration": f"printf('%03d-%04d-%06d', {office}, year(d), {_number_sql(per)})",
        "series": "1",
        "customs_office": f"printf('%03d', {office})",
        "department": "'15'",
        "region_basis": "'producer_ubigeo'",
        "partner": "'US'",
        "product": "'0806100000'",
        "hs6": "'080610'",
        "hs_version": "'2022'",
        "trader_id": "'20100000001'",
        "trader_masked": "false",
        "value_usd": "1000.0 + i % 997",
        "value_basis": "'FOB'",
        "fob_usd": "1000.0 + i % 997",
        "file_date": "d",
        "synthetic": "true",
        "source": f"'{source}'",
    }
    cols = [
        f'CAST({values.get(f.name, "NULL")} AS {_duck(f.type)}) AS "{f.name}"' for f in CUSTOMS_LINES.schema
    ]
    return f"SELECT {', '.join(cols)} FROM (SELECT range AS i, DATE '{end}' AS d FROM range({per}))"


def _duck(kind: Any) -> str:
    import pyarrow as pa

    return {
        pa.string(): "VARCHAR",
        pa.date32(): "DATE",
        pa.int32(): "INTEGER",
        pa.float64(): "DOUBLE",
        pa.bool_(): "BOOLEAN",
    }[kind]


def prepare(rows: int, per: int, work: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """An archive of ``rows`` lines in weekly vintages of ``per`` lines (with key indexes) and the week zip
    of ``per`` lines to append."""
    base = work / f"append-{rows}-w{per}"
    ready = cached(base)
    if ready is not None:
        return ready
    shutil.rmtree(base, ignore_errors=True)
    t0 = time.perf_counter()
    weeks = math.ceil(rows / per)
    home = base / "home"
    _archive(home, weeks, per, log)
    week = _week_zip(base / "week", per)
    info = {
        "rows": weeks * per,
        "weeks": weeks,
        "week_lines": per,
        "home": str(home.resolve()),
        "week": str(week.resolve()),
        "generate_s": round(time.perf_counter() - t0, 1),
    }
    mark_ready(base, info)
    return info


def _archive(home: Path, weeks: int, per: int, log: Callable[[str], None]) -> None:
    """``weeks`` weekly vintages of ``per`` lines ending on ``LAST``, indexed and recorded."""
    from comercio.config import Settings
    from comercio.sources.weekly import file_name, week_of
    from comercio.warehouse import Warehouse, aggregates, revisions
    from comercio.warehouse.contracts import Scratch, scratch
    from comercio.warehouse.schema import CUSTOMS_LINES

    wh = Warehouse(Settings(home=home))
    data = wh.settings.data_dir / "customs_lines"
    made = []
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    keys = ("flow", "declaration", "series")
    checks = Scratch()  # one DuckDB for the whole archive
    chunk: list[tuple[Path, Path, str, dt.date, dt.date]] = []
    with wh.catalog.writer_lock(), checks.shared(), scratch() as con:
        for w in range(weeks):
            end = LAST - dt.timedelta(weeks=weeks - 1 - w)
            monday, sunday = week_of(end)
            name = file_name("X", monday, sunday)
            vdir = data / f"microdata-{Path(name).stem}" / "v1"
            vdir.mkdir(parents=True)
            part = vdir / "part-00000.parquet"
            con.execute(f"COPY ({_week_sql(sunday, per, name)}) TO '{part}' (FORMAT parquet)")
            aggregates.of_files(CUSTOMS_LINES, [part]).write(vdir)  # as its load would
            chunk.append((part, vdir, name, monday, sunday))
            if len(chunk) < CHUNK and w + 1 < weeks:
                continue
            # no key repeats across the archive's weeks: indexing them together finds no corrections
            done = revisions.revise_many(keys, [([part], vdir) for part, vdir, *_ in chunk], [])
            for (_, vdir, name, monday, sunday), revised in zip(chunk, done, strict=True):
                made.append(_vintage(wh, vdir, name, monday, sunday, per, stamp, revised.keyed))
            chunk = []
            if (w + 1) % 200 == 0:
                log(f"append: archive week {w + 1:,} of {weeks:,}")
        wh.catalog.record_many(made)
        # as `comercio warehouse aggregate` run on the archive: every vintage's sidecar rows in one index
        aggregates.write_index(
            wh.settings.data_dir, "customs_lines", [(v.vintage, data / v.slice / "v1") for v in made]
        )


def _vintage(
    wh: Any,
    vdir: Path,
    name: str,
    monday: dt.date,
    sunday: dt.date,
    rows: int,
    stamp: str,
    keyed: dict[str, Any] | None,
) -> Any:
    """The catalog row of one archive week, as a load of its weekly file records it."""
    from comercio.warehouse.catalog import Vintage
    from comercio.warehouse.loads import schema_fingerprint

    slice_ = vdir.parent.name
    return Vintage(
        vintage=f"customs_lines/{slice_}/v1-{stamp}",
        dataset="customs_lines",
        slice=slice_,
        number=1,
        sha256=uuid.uuid4().hex * 2,
        source="sunat-microdata",
        parser="sunat-microdata/1",
        files=({"name": name, "sha256": uuid.uuid4().hex * 2, "url": None, "retrieved_at": None},),
        retrieved_at=None,
        loaded_at=stamp,
        rows=rows,
        value_total=None,
        path=str(vdir.relative_to(wh.settings.data_dir)),
        current=True,
        synthetic=True,
        extra={
            "file_period": [monday.isoformat(), sunday.isoformat()],
            "schema": schema_fingerprint("customs_lines"),
            "keys": keyed,
        },
    )


def _week_zip(folder: Path, per: int) -> Path:
    """The week after ``LAST`` as SUNAT's weekly export zip: new declarations and 1 % corrections of lines
    of the four weeks before it (same key, another value)."""
    from comercio.sources.weekly import week_of
    from comercio.synth.small_week import write_export_week

    monday, sunday = week_of(LAST + dt.timedelta(weeks=1))
    i = np.arange(per)
    office = np.array(OFFICES)[i % len(OFFICES)]
    block = math.ceil(per / len(OFFICES))
    week_index = (sunday - dt.date(sunday.year, 1, 1)).days // 7
    number = week_index * block + i // len(OFFICES) + 1
    fixes = i % 100 == 0  # corrections: the same line of one of the four weeks before
    number = np.where(fixes, number - block * (1 + (i // 100) % 4), number)
    fob = np.where(fixes, 5000.5, 1000.0 + i % 997)
    return write_export_week(folder, monday, sunday, number, office=office, fob=fob)
