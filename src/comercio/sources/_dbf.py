"""A fast, streaming dBase III reader: header parsing and vectorised column decoders.

SUNAT's customs microdata come as one dBase III ``.dbf`` per zip; a weekly import file is ~260 MB, so the
reader never loads a file whole. It reads blocks of fixed-width records into a ``(rows, record_length)``
``numpy`` array, gathers the fields it needs transposed (one contiguous vector per byte position) and
decodes them with a few whole-column passes each: codes and amounts by digit arithmetic, dates against the
calendar, text as Arrow strings over the record bytes (decision 0018).

Everything here raises :class:`~comercio.errors.ParseError` naming the file, the record (1-based, counting
deleted records, as dBase does) and the field.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from comercio.errors import ParseError

DBF_VERSIONS = {0x03, 0x83, 0x8B, 0x30, 0x31, 0xF5}
FIELD_TYPES = {"C", "N", "F", "D", "L"}
SPACE, ZERO, DOT, MINUS = 0x20, 0x30, 0x2E, 0x2D
# what a damaged zip member raises while being read (bad CRC, cut deflate stream, short file)
_READ_ERRORS = (EOFError, OSError, ValueError, zipfile.BadZipFile, zlib.error)


@dataclass(frozen=True)
class DbfField:
    """One field descriptor: name, dBase type (C, N, F, D, L), width, decimals and offset in the record."""

    name: str
    type: str
    length: int
    decimals: int = 0
    offset: int = 0  # byte offset inside the record; 0 is the deleted flag, so real fields start at 1


@dataclass(frozen=True)
class DbfHeader:
    """The parsed file header."""

    records: int
    header_length: int
    record_length: int
    fields: tuple[DbfField, ...]
    last_update: tuple[int, int, int]

    def field(self, name: str) -> DbfField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


class SizedStream:
    """A zip member's stream that must end exactly at the size the archive declares.

    :mod:`zipfile` checks the CRC-32 at the end of a member but not that it ends at its declared size: a
    member shorter than announced would pass. Only ``read`` is offered (all the reader needs).
    """

    def __init__(self, stream: IO[bytes], size: int, file: str) -> None:
        self._stream, self._size, self._file, self._count = stream, size, file, 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self._count += len(data)
        if (n < 0 or (n > 0 and not data)) and self._count != self._size:
            raise ParseError(
                f"the archive declares {self._size} bytes for the member, it holds {self._count}",
                file=self._file,
                hint="corrupt archive",
            )
        return data


def _read_exact(stream: IO[bytes], n: int, file: str, what: str) -> bytes:
    try:
        data = stream.read(n)
    except _READ_ERRORS as exc:
        raise ParseError(
            f"cannot read {what}: {exc}", file=file, hint="truncated or corrupt archive"
        ) from exc
    if len(data) != n:
        raise ParseError(f"file ends inside the {what} ({len(data)} of {n} bytes)", file=file)
    return data


def read_header(stream: IO[bytes], file: str) -> DbfHeader:
    """Parse and validate a dBase III header; leaves ``stream`` positioned at the first record."""
    head = _read_exact(stream, 32, file, "DBF header")
    version, yy, mm, dd, nrec, hlen, rlen = struct.unpack("<4BIHH", head[:12])
    if version not in DBF_VERSIONS:
        raise ParseError(f"not a dBase III file (version byte 0x{version:02x})", file=file)
    nfields, rest = divmod(hlen - 33, 32)
    if hlen < 65 or rest not in (0, 1) or nfields > 255:  # 0x0D terminator, sometimes followed by one byte
        raise ParseError(f"corrupted DBF header: header length {hlen} is not 32*k+33", file=file)
    body = _read_exact(stream, hlen - 32, file, "DBF field descriptors")
    if body[nfields * 32] != 0x0D:
        raise ParseError("corrupted DBF header: field descriptor terminator 0x0D missing", file=file)
    fields: list[DbfField] = []
    offset = 1
    for i in range(nfields):
        desc = body[i * 32 : (i + 1) * 32]
        raw_name = desc[:11].split(b"\x00", 1)[0]
        try:
            name = raw_name.decode("ascii").strip().upper()
        except UnicodeDecodeError:
            raise ParseError(f"corrupted DBF header: field {i + 1} name is not ASCII", file=file) from None
        ftype = chr(desc[11])
        length, decimals = desc[16], desc[17]
        if not name or ftype not in FIELD_TYPES or length == 0:
            raise ParseError(
                f"corrupted DBF header: field descriptor {i + 1} (type {ftype!r}, width {length})",
                file=file,
                field=name or None,
            )
        fields.append(DbfField(name, ftype, length, decimals, offset))
        offset += length
    if offset != rlen:
        raise ParseError(
            f"corrupted DBF header: record length {rlen} but fields add up to {offset}", file=file
        )
    return DbfHeader(nrec, hlen, rlen, tuple(fields), (1900 + yy, mm, dd))


def iter_blocks(
    stream: IO[bytes], header: DbfHeader, batch_rows: int, file: str
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(first_record_number, block)`` with ``block`` a ``(rows, record_length)`` uint8 array."""
    rlen = header.record_length
    done = 0
    while done < header.records:
        n = min(batch_rows, header.records - done)
        try:
            data = stream.read(n * rlen)
        except _READ_ERRORS as exc:
            raise ParseError(
                f"cannot read records: {exc}", file=file, record=done + 1, hint="truncated or corrupt archive"
            ) from exc
        if len(data) != n * rlen:
            got = done + len(data) // rlen
            raise ParseError(
                f"truncated: the header announces {header.records} records, the file ends after {got}",
                file=file,
                record=got + 1,
            )
        yield done + 1, np.frombuffer(data, dtype=np.uint8).reshape(n, rlen)
        done += n
    check_end(stream, header, file)


def check_end(stream: IO[bytes], header: DbfHeader, file: str) -> None:
    """Only the end-of-file marker (0x1A, maybe NUL padding shorter than a record) may follow the records.

    The rest is read to the end in bounded chunks, which also makes :mod:`zipfile` verify the member's CRC-32
    and size: a header announcing fewer records than the file holds, or a damaged archive, is refused.
    """
    extra, tail = 0, b""
    while True:
        try:
            chunk = stream.read(1 << 20)
        except _READ_ERRORS as exc:
            raise ParseError(
                f"cannot read the end of the file: {exc}",
                file=file,
                hint="corrupt archive: CRC-32 or size does not match",
            ) from exc
        if not chunk:
            break
        if extra < header.record_length + 1:
            tail += chunk[: header.record_length + 1 - len(tail)]
        extra += len(chunk)
    if extra == 0 or (extra < header.record_length and tail[:1] in (b"\x1a", b"\x00") and not any(tail[1:])):
        return
    more = (extra - (tail[:1] == b"\x1a")) // header.record_length
    reason = (
        f"the header announces {header.records} records but the file holds {header.records + more}"
        if more
        else f"{extra} unexpected bytes after the last of the {header.records} records"
    )
    raise ParseError(reason, file=file, record=header.records + 1, hint="corrupt DBF header or file")


# ---------------------------------------------------------------------------------------------- decoders


def _controls(a: np.ndarray) -> np.ndarray:
    """Where ``a`` holds a C0 (< 0x20) or C1/DEL (0x7F-0x9F) control byte, by comparisons (no gather)."""
    return np.asarray((a < 0x20) | ((a - np.uint8(0x7F)) < 0x21))  # uint8 wraps: 0x7F..0x9F → 0..0x20


def has_controls(block: np.ndarray) -> bool:
    """Whether any byte of the block is a control code (NUL padding included): one pass, no per-row work."""
    return bool(_controls(block).any())


def gather(
    block: np.ndarray, fields: dict[str, DbfField], free: str | None = None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], bool]:
    """The fields' bytes taken from the block in one pass, NUL padding read as spaces: per field a
    ``(rows, width)`` view and a contiguous ``(width, rows)`` transpose, the layout the decoders work on
    (each byte position one contiguous vector; numpy reduces a narrow row-major axis very slowly). The
    third value says whether a field other than ``free`` holds a control byte (one pass for all)."""
    ordered = sorted(fields.items(), key=lambda rf: rf[0] == free)  # the free field last
    width = sum(f.length for f in fields.values())
    idx = np.concatenate([np.arange(f.offset, f.offset + f.length) for _, f in ordered])
    sub_t = block.T[idx]  # one gather of byte positions: several times faster than a copy per field
    nul = sub_t == 0
    padded = bool(nul.any())
    if padded:
        sub_t[nul] = SPACE
    checked = width - (fields[free].length if free in fields else 0)
    controls = bool(_controls(sub_t[:checked]).any())
    rows, cols = {}, {}
    at = 0
    for role, f in ordered:
        cols[role] = sub_t[at : at + f.length]
        # the record's own bytes (a view) unless NUL padding had to be replaced
        rows[role] = cols[role].T if padded else block[:, f.offset : f.offset + f.length]
        at += f.length
    return rows, cols, controls


def undecodable(t: np.ndarray) -> np.ndarray:
    """Rows holding a byte no latin-1 text file contains (C0/C1 control codes), as a boolean mask; ``t``
    is the field transposed, ``(width, rows)`` (see :func:`gather`).

    Latin-1 maps every byte to a character, so "undecodable" means bytes that only appear when the file is
    not latin-1 text at all: UTF-16, EBCDIC, binary garbage or a DOS code page seen through latin-1 glasses.
    """
    return np.asarray(_controls(t).any(axis=0))


def bounds(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a transposed field (``(width, rows)``), the first and one past the last non-space byte
    (``0, 0`` for a blank row)."""
    filled = t != SPACE
    width, n = filled.shape
    start, end = np.zeros(n, np.int64), np.zeros(n, np.int64)
    for j in range(width - 1, -1, -1):
        start = np.where(filled[j], j, start)
    for j in range(width):
        end = np.where(filled[j], j + 1, end)
    return start, end


def text(col: np.ndarray, t: np.ndarray | None = None) -> pa.StringArray:
    """Trimmed strings of a ``(rows, width)`` field (``t``: the same transposed, checked faster). Printable
    ASCII (code fields) is trimmed of spaces by Arrow's ASCII kernel, the only whitespace there; anything
    else is decoded from latin-1 and trimmed of Unicode whitespace, row by row (rare, still exact)."""
    n, width = col.shape
    if not n or ((col if t is None else t) - np.uint8(SPACE) >= 0x60).any():  # < 0x20 or >= 0x80
        values = [bytes(r).decode("latin-1") for r in col]
        return pc.utf8_trim_whitespace(pa.array(values, pa.string()))
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(col)
    raw = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return raw if not (data == SPACE).any() else pc.ascii_trim(raw, " ")


def blank_rows(t: np.ndarray) -> np.ndarray:
    """Rows that are all spaces (``t``: the field transposed, ``(width, rows)``)."""
    return np.asarray(~(t != SPACE).any(axis=0))


POW10 = 10 ** np.arange(19, dtype=np.int64)
MAX_DIGITS = 15  # an integer of up to 15 digits is exact in a float64 (< 2**53)


def _weighted(t: np.ndarray, digit: np.ndarray, skip: int) -> np.ndarray:
    """Rows' digits as one integer for rows whose digits end at the last byte (right-aligned, dBase's rule
    for numbers): fixed powers of ten, byte ``skip`` (the dot) left out, nine digits at a time in uint32."""
    width = t.shape[0]
    places = [j for j in range(width) if j != skip]
    power = {j: len(places) - 1 - k for k, j in enumerate(places)}
    total = np.zeros(t.shape[1], np.int64)
    for lo in range(0, len(places), 9):
        group = places[lo : lo + 9]
        w = np.array([10 ** (power[j] - power[group[-1]]) for j in group], dtype=np.uint32)[:, None]
        part = ((t[group] - np.uint8(ZERO)) * digit[group]).astype(np.uint32)
        total += (part * w).sum(axis=0, dtype=np.uint32).astype(np.int64) * POW10[power[group[-1]]]
    return total


def _horner(t: np.ndarray, digit: np.ndarray) -> np.ndarray:
    """Rows' digits read as one integer, other bytes skipped (``"1 2"`` → 12), one byte position at a time."""
    acc = np.zeros(t.shape[1], np.int64)
    for j in range(t.shape[0]):
        acc = np.where(digit[j], acc * 10 + (t[j] - np.uint8(ZERO)), acc)
    return acc


def _one_run(mask: np.ndarray) -> np.ndarray:
    """Columns of a ``(width, rows)`` mask true on exactly one run of consecutive bytes."""
    starts = mask.copy()
    starts[1:] &= ~mask[:-1]
    return np.asarray(starts.sum(axis=0, dtype=np.int16) == 1)


def _value(t: np.ndarray, digit: np.ndarray, fixed: np.ndarray, need: np.ndarray, skip: int) -> np.ndarray:
    """Fixed weights where ``fixed`` (the usual layout), digit by digit for the other rows in ``need``
    (rows in neither read 0: their value is never used)."""
    if t.shape[0] - (skip >= 0) > 18:  # more than 18 places cannot take fixed weights in int64
        fixed = np.zeros_like(fixed)
    values = _weighted(t, digit, skip) if fixed.any() else np.zeros(t.shape[1], np.int64)
    other = np.flatnonzero(need & ~fixed)
    if other.size:
        values[other] = _horner(t[:, other], digit[:, other])
    return values


def digits_int(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unsigned integers in a fixed-width field transposed (``(width, rows)``, see :func:`gather`):
    (values int64, ok mask); ok = spaces, digits, spaces.

    Blank is not ok; a row not ok reads 0. A value of 10**18 or more reads as 10**18 (out of every code's
    range).
    """
    digit = (t - np.uint8(ZERO)) < 10  # uint8 wraps: one comparison
    count = digit.sum(axis=0, dtype=np.int16)
    ok = (digit | (t == SPACE)).all(axis=0) & _one_run(digit)
    values = _value(t, digit, digit[-1] & ok & (count <= 18), ok & (count <= 18), -1)
    for i in np.flatnonzero(count > 18):  # beyond int64: exact up to the cap, row by row (never in SUNAT's)
        values[i] = min(int(bytes(t[:, i])), POW10[18]) if ok[i] else POW10[18]
    return values, ok


def numeric(t: np.ndarray, decimals: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a dBase N field (transposed, ``(width, rows)``) as Python's ``float`` reads its text:
    (values float64, ok mask, blank mask).

    The usual form (``-?digits.digits``, up to 15 digits) is read as an exact integer divided once by a
    power of ten, which IEEE division rounds correctly: the same double as ``float(text)``. Other rows
    (exponents, ``nan``, very long numbers) go through ``float`` one by one. Values not ok are NaN.
    """
    width = t.shape[0]
    digit = (t - np.uint8(ZERO)) < 10
    dot, minus, filled = t == DOT, t == MINUS, t != SPACE
    blank = ~filled.any(axis=0)
    ndigits = digit.sum(axis=0, dtype=np.int16)
    leading = minus.copy()  # a minus sign must open the number
    leading[1:] &= ~filled[:-1]
    signed = leading.any(axis=0)
    fast = (
        (digit | ~filled | dot | minus).all(axis=0)
        & _one_run(filled)
        & (dot.sum(axis=0, dtype=np.int16) <= 1)
        & (minus.sum(axis=0, dtype=np.int16) == signed)
        & (ndigits >= 1)
        & (ndigits <= MAX_DIGITS)
    )
    at = width - decimals - 1 if 0 < decimals < width - 1 else -1  # where the declared scale puts the dot
    fixed = fast & digit[-1] & (dot[at] if at >= 0 else ~dot.any(axis=0))
    scale = np.where(fixed, width - 1 - at if at >= 0 else 0, 0)
    loose = np.flatnonzero(fast & ~fixed)
    if loose.size:  # digits after the dot, row by row
        after = np.logical_or.accumulate(dot[:, loose], axis=0) & digit[:, loose]
        scale[loose] = after.sum(axis=0)
    values = _value(t, digit, fixed, fast, at).astype(np.float64) / POW10[np.minimum(scale, 18)]
    values = np.where(signed, -values, values)
    values[~fast] = np.nan
    ok = fast.copy()
    for i in np.flatnonzero(~fast & ~blank):
        try:
            values[i] = float(bytes(t[:, i]).decode("latin-1"))
            ok[i] = True
        except ValueError:
            pass
    return values, ok, blank


def days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 for proleptic Gregorian dates (H. Hinnant's algorithm, vectorised)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def dates(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse ``YYYYMMDD`` dates (transposed, ``(8, rows)``): (days since epoch int32, ok mask, blank
    mask); impossible dates not ok."""
    blank = blank_rows(t)
    if t.shape[0] != 8:
        return np.zeros(t.shape[1], np.int32), np.zeros(t.shape[1], bool), blank
    dig = (t - np.uint8(ZERO)).astype(np.int32)
    ok = (dig < 10).all(axis=0)
    y = dig[0] * 1000 + dig[1] * 100 + dig[2] * 10 + dig[3]
    m = dig[4] * 10 + dig[5]
    d = dig[6] * 10 + dig[7]
    ok &= (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31) & (y >= 1900)
    days = days_from_civil(y, np.clip(m, 1, 12), np.clip(d, 1, 31))
    # round-trip: day 31 of a 30-day month lands on the next month
    nxt = days_from_civil(y + (m == 12), np.where(m == 12, 1, np.clip(m + 1, 1, 12)), np.ones_like(d))
    ok &= days < nxt
    return days.astype(np.int32), ok & ~blank, blank
