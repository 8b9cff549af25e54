"""Vectorised dBase III writer, used by the synthetic twin and by tests to build files in SUNAT's layout.

Columns are encoded a whole block at a time into a ``(rows, record_length)`` byte matrix (numbers
right-aligned with fixed decimals, dates ``YYYYMMDD``, text latin-1 left-aligned), so writing runs at
millions of records per second. The record count goes in the header before the data, so the caller says
how many records it will write (zip members cannot be rewound); :meth:`DbfWriter.close` checks it.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from comercio.errors import ComercioError
from comercio.sources import DbfField

SPACE = 0x20


def layout(specs: Sequence[tuple[str, str, int, int]]) -> tuple[DbfField, ...]:
    """Fields from ``(name, type, width, decimals)`` tuples, with their record offsets."""
    out, offset = [], 1
    for name, ftype, width, dec in specs:
        out.append(DbfField(name, ftype, width, dec, offset))
        offset += width
    return tuple(out)


def header_bytes(fields: Sequence[DbfField], records: int, last_update: tuple[int, int, int]) -> bytes:
    y, m, d = last_update
    rlen = 1 + sum(f.length for f in fields)
    hlen = 32 + 32 * len(fields) + 1
    head = struct.pack("<4BIHH20x", 0x03, y - 1900, m, d, records, hlen, rlen)
    for f in fields:
        name = f.name.encode("ascii")[:10].ljust(11, b"\x00")
        head += name + f.type.encode("ascii") + b"\x00" * 4 + bytes([f.length, f.decimals]) + b"\x00" * 14
    return head + b"\x0d"


def _text(values: Any, width: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "U":
        arr = np.char.encode(arr, "latin-1")
    elif arr.dtype.kind == "O":
        arr = np.array([v.encode("latin-1") if isinstance(v, str) else (v or b"") for v in arr], dtype="S")
    fixed = arr.astype(f"S{width}")
    out = fixed.view(np.uint8).reshape(len(fixed), width).copy()
    out[out == 0] = SPACE
    return out


def _number(values: Any, width: int, decimals: int) -> np.ndarray:
    """Right-aligned fixed-decimal numbers; blank where not finite."""
    v = np.asarray(values, dtype=np.float64)
    missing = ~np.isfinite(v)
    if (v[~missing] < 0).any():
        return _signed(v, width, decimals)
    n = v.shape[0]
    scaled = np.rint(np.where(missing, 0.0, v) * 10.0**decimals).astype(np.int64)
    int_width = width - decimals - 1 if decimals else width
    whole = scaled // 10**decimals
    if n and int(whole.max()) >= 10**int_width:
        raise ComercioError(f"number too wide for N({width},{decimals})")
    text = pc.utf8_lpad(pc.cast(pa.array(whole), pa.string()), int_width, " ")
    out = np.empty((n, width), dtype=np.uint8)
    out[:, :int_width] = np.frombuffer(text.buffers()[2], np.uint8, n * int_width).reshape(n, int_width)
    if decimals:
        out[:, int_width] = ord(".")
        frac = scaled % 10**decimals
        for j in range(width - 1, int_width, -1):
            out[:, j] = frac % 10 + 48
            frac //= 10
    out[missing] = SPACE
    return out


def _signed(v: np.ndarray, width: int, decimals: int) -> np.ndarray:
    """The general case, with a minus sign before the first digit."""
    n = v.shape[0]
    missing = ~np.isfinite(v)
    neg = (v < 0) & ~missing
    scaled = np.rint(np.abs(np.where(missing, 0.0, v)) * 10.0**decimals).astype(np.int64)
    out = np.full((n, width), SPACE, dtype=np.uint8)
    dot = width - decimals - 1 if decimals else -1
    int_started = np.zeros(n, dtype=bool)
    for j in range(width - 1, -1, -1):
        if j == dot:
            out[:, j] = ord(".")
            continue
        in_fraction = bool(decimals) and j > dot
        write = in_fraction | (scaled > 0) | ~int_started  # always at least one integer digit
        out[:, j] = np.where(write, scaled % 10 + 48, out[:, j])
        if not in_fraction:
            sign_here = neg & ~write & int_started & (out[:, j] == SPACE)
            out[:, j] = np.where(sign_here, ord("-"), out[:, j])
            neg = neg & ~sign_here
            int_started |= write
        scaled //= 10
    if (scaled > 0).any() or neg.any():
        raise ComercioError(f"number too wide for N({width},{decimals})")
    out[missing] = SPACE
    return out


def _date(days: Any) -> np.ndarray:
    d = np.asarray(days, dtype=np.int64)
    missing = d < -100_000
    iso = np.where(missing, 0, d).astype("datetime64[D]").astype("S10")
    raw = iso.view(np.uint8).reshape(len(iso), 10)[:, [0, 1, 2, 3, 5, 6, 8, 9]].copy()
    raw[missing] = SPACE
    return raw


def encode(f: DbfField, values: Any) -> np.ndarray:
    """One column as a ``(rows, width)`` byte matrix; a ready uint8 matrix passes through unchanged."""
    if isinstance(values, np.ndarray) and values.dtype == np.uint8 and values.ndim == 2:
        return values
    if f.type == "D":
        return _date(values)
    if f.type in "NF":
        return _number(values, f.length, f.decimals)
    return _text(values, f.length)


def encode_block(
    fields: Sequence[DbfField], columns: Mapping[str, Any], deleted: np.ndarray | None = None
) -> np.ndarray:
    """Records as a ``(rows, record_length)`` byte matrix; fields not in ``columns`` stay blank."""
    n = len(next(iter(columns.values())))
    block = np.full((n, 1 + sum(f.length for f in fields)), SPACE, dtype=np.uint8)
    for f in fields:
        if f.name in columns:
            block[:, f.offset : f.offset + f.length] = encode(f, columns[f.name])
    if deleted is not None:
        block[np.asarray(deleted, dtype=bool), 0] = ord("*")
    return block


class DbfWriter:
    """Write ``records`` records in blocks to a binary stream (which need not be seekable)."""

    def __init__(
        self, stream: IO[bytes], fields: Sequence[DbfField], records: int, last_update: tuple[int, int, int]
    ) -> None:
        self.stream, self.fields, self.records, self.written = stream, tuple(fields), records, 0
        self.record_length = 1 + sum(f.length for f in fields)
        stream.write(header_bytes(self.fields, records, last_update))

    def write(self, columns: Mapping[str, Any], deleted: np.ndarray | None = None) -> None:
        self.write_records(encode_block(self.fields, columns, deleted))

    def write_records(self, block: np.ndarray) -> None:
        """Write records already encoded as a ``(rows, record_length)`` byte matrix."""
        if block.shape[1:] != (self.record_length,):
            raise ComercioError(f"records of {block.shape[1:]} bytes, expected {self.record_length}")
        self.stream.write(block.tobytes())
        self.written += block.shape[0]

    def close(self) -> None:
        if self.written != self.records:
            raise ComercioError(f"DBF header announced {self.records} records, {self.written} written")
        self.stream.write(b"\x1a")


def write_dbf_zip(
    path: Path,
    member: str,
    fields: Sequence[DbfField],
    records: int,
    blocks: Iterable[Mapping[str, Any] | np.ndarray],
    *,
    last_update: tuple[int, int, int] = (2000, 1, 1),
    compresslevel: int = 1,
) -> Path:
    """Write a zip holding one DBF, byte-for-byte deterministic (fixed timestamp, fixed compression).

    Each block is a mapping of columns or records already encoded (:func:`encode_block`)."""
    info = zipfile.ZipInfo(member, date_time=(*last_update, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with (
        zipfile.ZipFile(path, "w", compresslevel=compresslevel) as zf,
        zf.open(info, "w", force_zip64=True) as out,
    ):
        writer = DbfWriter(out, fields, records, last_update)
        for cols in blocks:
            if isinstance(cols, np.ndarray):
                writer.write_records(cols)
            else:
                writer.write(cols)
        writer.close()
    return path


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative ints as a ``(n, width)`` latin-1 byte matrix."""
    out = np.empty((values.shape[0], width), dtype=np.uint8)
    v = values.astype(np.int64, copy=True)
    for j in range(width - 1, -1, -1):
        out[:, j] = v % 10 + 48
        v //= 10
    return out
