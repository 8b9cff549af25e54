"""The vectorised DBF decoders give exactly what a simple record-by-record decode gives (issue 15).

The reference reads each field with Python slicing and the rules the reader documents: a code is spaces,
digits, spaces; a number is what Python's ``float`` reads; a date is ``YYYYMMDD`` of a real day from 1900;
text is latin-1 trimmed of whitespace; NUL padding reads as spaces. Hypothesis draws the fields' bytes with
the quirks of real files (alignment, NUL padding, signs, exponents, dots, non-ASCII letters, garbage).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comercio.sources import dbf as _dbf
from comercio.sources.sunat_microdata import iter_microdata
from comercio.synth._dbfwrite import header_bytes, layout

EPOCH = dt.date(1970, 1, 1)
NUMBER_BYTES = b"0123456789 .-+eEinfa_\x00"
SLOW_OK = [HealthCheck.too_slow, HealthCheck.filter_too_much]
TEXT_BYTES = bytes(range(0x20, 0x7F)) + bytes(range(0xA0, 0x100))


def fields_of(width: int, rows: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` as one field of a block (after a deleted flag), through :func:`_dbf.gather`."""
    block = np.frombuffer(b"".join(b" " + r for r in rows), np.uint8).reshape(len(rows), width + 1)
    rows_view, cols, _ = _dbf.gather(block, {"f": _dbf.DbfField("F", "C", width, 0, 1)})
    return np.ascontiguousarray(rows_view["f"]), cols["f"]


def as_text(raw: bytes) -> str:
    return raw.replace(b"\x00", b" ").decode("latin-1")


def ref_int(raw: bytes) -> int | None:
    s = as_text(raw)
    return int(s) if re.fullmatch(" *[0-9]+ *", s) else None


def ref_float(raw: bytes) -> tuple[bool, float | None]:
    s = as_text(raw)
    if not s.strip(" "):
        return True, None
    try:
        return False, float(s)
    except ValueError:
        return False, None


def ref_date(raw: bytes) -> int | None:
    s = as_text(raw)
    if not re.fullmatch("[0-9]{8}", s) or int(s[:4]) < 1900:
        return None
    try:
        return (dt.date(int(s[:4]), int(s[4:6]), int(s[6:])) - EPOCH).days
    except ValueError:
        return None


def same_float(a: float, b: float) -> bool:
    return struct.pack("<d", a) == struct.pack("<d", b) or (np.isnan(a) and np.isnan(b))


def pick(alphabet: bytes, raw: bytes) -> bytes:
    return bytes(alphabet[x % len(alphabet)] for x in raw)


def records(alphabet: bytes, min_width: int = 1, max_width: int = 16) -> st.SearchStrategy[list[bytes]]:
    """Lists of same-width byte strings: random bytes, or a number padded left or right."""
    return st.integers(min_width, max_width).flatmap(
        lambda w: st.lists(
            st.one_of(
                st.binary(min_size=w, max_size=w).map(
                    lambda b: bytes(alphabet[x % len(alphabet)] for x in b)
                ),
                st.decimals(allow_nan=False, allow_infinity=False, places=3)
                .map(lambda d: str(d).encode())
                .filter(lambda s: len(s) <= w)
                .flatmap(lambda s: st.sampled_from([s.rjust(w), s.ljust(w), s.rjust(w, b"\x00")])),
                st.just(b" " * w),
            ),
            min_size=1,
            max_size=40,
        )
    )


@settings(max_examples=300, deadline=None, suppress_health_check=SLOW_OK)
@given(records(NUMBER_BYTES, 1, 20))
def test_codes_are_read_as_the_reference_reads_them(rows: list[bytes]) -> None:
    _, t = fields_of(len(rows[0]), rows)
    values, ok = _dbf.digits_int(t)
    for i, raw in enumerate(rows):
        want = ref_int(raw)
        assert bool(ok[i]) == (want is not None), raw
        if want is not None:
            assert int(values[i]) == min(want, 10**18), raw


@settings(max_examples=300, deadline=None, suppress_health_check=SLOW_OK)
@given(records(NUMBER_BYTES, 1, 20), st.integers(0, 4))
def test_numbers_are_read_as_python_float_reads_them(rows: list[bytes], decimals: int) -> None:
    _, t = fields_of(len(rows[0]), rows)
    values, ok, blank = _dbf.numeric(t, decimals)
    for i, raw in enumerate(rows):
        is_blank, want = ref_float(raw)
        assert bool(blank[i]) == is_blank, raw
        assert bool(ok[i]) == (want is not None), raw
        assert same_float(float(values[i]), np.nan if want is None else want), raw


@settings(max_examples=200, deadline=None, suppress_health_check=SLOW_OK)
@given(
    st.lists(
        st.one_of(
            st.dates(dt.date(1850, 1, 1), dt.date(2200, 12, 31)).map(lambda d: d.strftime("%Y%m%d").encode()),
            st.binary(min_size=8, max_size=8).map(lambda b: bytes(b"0123456789 3\x00"[x % 13] for x in b)),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_dates_are_read_as_the_calendar_says(rows: list[bytes]) -> None:
    _, t = fields_of(8, rows)
    days, ok, blank = _dbf.dates(t)
    for i, raw in enumerate(rows):
        want = ref_date(raw)
        assert bool(blank[i]) == (not as_text(raw).strip(" ")), raw
        assert bool(ok[i]) == (want is not None), raw
        if want is not None:
            assert int(days[i]) == want, raw


@settings(max_examples=200, deadline=None, suppress_health_check=SLOW_OK)
@given(records(TEXT_BYTES, 1, 12))
def test_text_is_latin1_trimmed(rows: list[bytes]) -> None:
    col, _ = fields_of(len(rows[0]), rows)
    got = _dbf.text(col).to_pylist()
    assert got == [as_text(r).strip(" \xa0") for r in rows]


# -- a whole file: the reader's table equals one built record by record ------------------------------
EXPORT = layout(
    [("CADU", "N", 3, 0), ("FANO", "C", 4, 0), ("NDCL", "C", 8, 0), ("NSER", "N", 5, 0), ("FNUM", "C", 8, 0),
     ("NDOC", "C", 11, 0), ("DNOMBRE", "C", 30, 0), ("UBIGEO", "N", 6, 0), ("PART_NANDI", "N", 10, 0),
     ("CPAIDES", "C", 2, 0), ("CVIATRA", "C", 2, 0), ("VFOBSERDOL", "N", 15, 2), ("VPESNET", "N", 15, 3),
     ("QUNIFIS", "N", 15, 3), ("TUNIFIS", "C", 3, 0)]
)  # fmt: skip
NAMES = ["ACME S.A.C.", "No Disponible", " no  disponible", "NO DISPONÍBLE", "Ñandú E.I.R.L.", "N.D."]


def _cell(f: _dbf.DbfField, text: str, left: bool) -> bytes:
    raw = text.encode("latin-1")
    return raw.ljust(f.length) if left else raw.rjust(f.length)


def quirky_file(path: Path, seed: int, n: int) -> list[dict[str, object]]:
    """A weekly export file of valid lines stored every way SUNAT's files store them; the expected rows."""
    rng = np.random.default_rng(seed)
    f = {x.name: x for x in EXPORT}
    body, expected = b"", []
    for i in range(n):
        office = int(rng.choice([118, 46, 235, 145, 19]))
        number, series = int(rng.integers(1, 99_999_999)), i + 1
        day = dt.date(2025, 10, 6) - dt.timedelta(days=int(rng.integers(0, 300)))
        ubigeo = int(rng.choice([0, 10101, 150101, 250101]))
        product = int(rng.choice([806100000, 2603000000, 7108120000]))
        cents = int(rng.integers(0, 10**9))
        fob = rng.choice([f"{cents / 100:.2f}", f"{cents // 100}", f"{cents / 100:.1f}"])
        kg = rng.choice(["", f"{cents / 1000:.3f}", f"{cents / 10:.0f}."])
        left = bool(rng.integers(0, 2))
        name = NAMES[int(rng.integers(0, len(NAMES)))]
        cells = {
            "CADU": _cell(f["CADU"], str(office), False), "FANO": _cell(f["FANO"], str(day.year), left),
            "NDCL": _cell(f["NDCL"], str(number).zfill(6) if left else str(number), left),
            "NSER": _cell(f["NSER"], str(series), False), "FNUM": day.strftime("%Y%m%d").encode(),
            "NDOC": _cell(f["NDOC"], str(20100000000 + i), left), "DNOMBRE": _cell(f["DNOMBRE"], name, True),
            "UBIGEO": _cell(f["UBIGEO"], str(ubigeo) if ubigeo else "", False),
            "PART_NANDI": _cell(f["PART_NANDI"], str(product), False),
            "CPAIDES": _cell(f["CPAIDES"], str(rng.choice(["US", "CN", ""])), True),
            "CVIATRA": _cell(f["CVIATRA"], str(rng.choice(["1", "04", "4", ""])), left),
            "VFOBSERDOL": _cell(f["VFOBSERDOL"], str(fob), False),
            "VPESNET": _cell(f["VPESNET"], str(kg), False),
            "QUNIFIS": b"\x00" * 15, "TUNIFIS": _cell(f["TUNIFIS"], str(rng.choice(["KG", "U", ""])), True),
        }  # fmt: skip
        body += b" " + b"".join(cells[x.name] for x in EXPORT)
        text = {k: v.decode("latin-1").strip() for k, v in cells.items()}
        expected.append(
            {
                "declaration": f"{office:03d}-{day.year}-{number:06d}", "series": series,
                "customs_office": f"{office:03d}", "date": day, "product": f"{product:010d}",
                "hs6": f"{product:010d}"[:6], "department": f"{ubigeo // 10**4:02d}" if ubigeo else "99",
                "partner": text["CPAIDES"] or None, "transport_mode": text["CVIATRA"][-1:] or None,
                "trader_id": text["NDOC"], "trader_masked": name.lower().lstrip().startswith("no"),
                "value_usd": round(float(fob), 2), "net_kg": float(kg) if kg else None, "quantity": None,
                "unit": text["TUNIFIS"] or None,
            }
        )  # fmt: skip
    raw = header_bytes(EXPORT, n, (2025, 10, 13)) + body + b"\x1a"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(path.stem + ".dbf", raw)
    return expected


@settings(max_examples=15, deadline=None, suppress_health_check=SLOW_OK)
@given(st.integers(0, 2**31), st.integers(1, 300), st.integers(1, 120))
def test_a_quirky_file_reads_as_record_by_record(
    tmp_path_factory: pytest.TempPathFactory, seed: int, n: int, batch: int
) -> None:
    path = tmp_path_factory.mktemp("quirky") / "x06121025.zip"
    expected = quirky_file(path, seed, n)
    table = pa.Table.from_batches(list(iter_microdata(path, batch_rows=batch)))
    got = table.select(list(expected[0])).to_pylist()
    assert got == expected
