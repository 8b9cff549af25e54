"""Byte-level editors the corpus builds its bad inputs with: CSV text, XLSX cells, zip members, DBF records.

Each takes a good file and returns (or writes) a copy with one fault; none of them knows which reader the
file is for.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

# --- text files (CSV) -----------------------------------------------------------------------------------


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def write_lines(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def set_cell(row: str, column: int, value: str) -> str:
    """``row`` (a CSV line without quoted commas in the first columns) with field ``column`` replaced."""
    cells = row.split(",")
    cells[column] = value
    return ",".join(cells)


def csv_edit(src: Path, dest: Path, edit: Callable[[list[str]], list[str]]) -> Path:
    return write_lines(dest, edit(lines(src)))


def column_index(header: str, name: str) -> int:
    return header.split(",").index(name)


def random_bytes(dest: Path, size: int = 4096, seed: int = 16) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(random.Random(seed).randbytes(size))
    return dest


def truncated(src: Path, dest: Path, share: float = 0.5) -> Path:
    data = src.read_bytes()
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data[: int(len(data) * share)])
    return dest


def utf16(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(src.read_text(encoding="utf-8").encode("utf-16"))
    return dest


def empty(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(b"")
    return dest


def copy(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(src.read_bytes())
    return dest


# --- XLSX workbooks ---------------------------------------------------------------------------------------


def xlsx_edit(src: Path, dest: Path, edit: Callable[[Any], None]) -> Path:
    """Open ``src`` with openpyxl, apply ``edit(workbook)``, save as ``dest``."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    edit(wb)
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def find_row(ws: Any, label: str) -> int:
    """The 1-based row whose cells hold ``label`` (stripped, case-insensitive prefix)."""
    want = label.lower()
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip().lower().startswith(want):
                return int(cell.row)
    raise KeyError(label)


def value_cell(ws: Any, label: str) -> Any:
    """The first numeric cell right of the cell labelled ``label`` (a month column, not a rank)."""
    row = find_row(ws, label)
    want = label.lower()
    start = next(
        c.column for c in ws[row] if isinstance(c.value, str) and c.value.strip().lower().startswith(want)
    )
    for cell in ws[row]:
        if cell.column > start and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
            return cell
    raise KeyError(label)


# --- zip archives -----------------------------------------------------------------------------------------


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_zip(dest: Path, members: dict[str, bytes]) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dest


def zip_edit(src: Path, dest: Path, edit: Callable[[dict[str, bytes]], dict[str, bytes]]) -> Path:
    return write_zip(dest, edit(zip_members(src)))


def bad_crc(src: Path, dest: Path) -> Path:
    """A copy of the zip whose first member's CRC-32 (local header and central directory) is wrong."""
    data = bytearray(src.read_bytes())
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    for offset in (local + 14, central + 16):
        (crc,) = struct.unpack_from("<I", data, offset)
        struct.pack_into("<I", data, offset, crc ^ 0xA5A5A5A5)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(bytes(data))
    return dest


# --- dBase III files --------------------------------------------------------------------------------------


class Dbf:
    """A dBase III file in memory: header fields and fixed-width records that can be patched."""

    def __init__(self, data: bytes) -> None:
        self.data = bytearray(data)
        self.count, self.header_len, self.record_len = struct.unpack_from("<IHH", self.data, 4)
        self.fields: dict[str, tuple[int, int]] = {}
        offset, pos = 1, 32
        while self.data[pos] != 0x0D:
            name = bytes(self.data[pos : pos + 11]).split(b"\0")[0].decode("ascii")
            width = self.data[pos + 16]
            self.fields[name] = (offset, width)
            offset += width
            pos += 32

    def record_at(self, index: int) -> int:
        return self.header_len + index * self.record_len

    def set(self, index: int, field: str, text: str) -> None:
        offset, width = self.fields[field]
        start = self.record_at(index) + offset
        self.data[start : start + width] = text.encode("latin-1").rjust(width)[:width]

    def get(self, index: int, field: str) -> str:
        offset, width = self.fields[field]
        start = self.record_at(index) + offset
        return bytes(self.data[start : start + width]).decode("latin-1")

    def delete(self, index: int) -> None:
        self.data[self.record_at(index)] = ord("*")

    def set_count(self, count: int) -> None:
        struct.pack_into("<I", self.data, 4, count)

    def duplicate(self, index: int) -> None:
        """Append a copy of record ``index`` (the header count follows)."""
        start = self.record_at(index)
        record = bytes(self.data[start : start + self.record_len])
        end = self.record_at(self.count)
        self.data[end:end] = record
        self.count += 1
        self.set_count(self.count)

    def header_only(self) -> bytes:
        out = bytearray(self.data[: self.header_len]) + b"\x1a"
        struct.pack_into("<I", out, 4, 0)
        return bytes(out)

    def nul_records(self, count: int) -> bytes:
        out = bytearray(self.data[: self.header_len]) + bytes(count * self.record_len) + b"\x1a"
        struct.pack_into("<I", out, 4, count)
        return bytes(out)


def dbf_edit(src: Path, dest: Path, edit: Callable[[Dbf], bytes | None]) -> Path:
    """Patch the DBF member of a SUNAT-style zip; ``edit`` changes the Dbf in place or returns new bytes."""

    def members(m: dict[str, bytes]) -> dict[str, bytes]:
        name = next(n for n in m if n.lower().endswith(".dbf"))
        dbf = Dbf(m[name])
        out = edit(dbf)
        return {**m, name: out if out is not None else bytes(dbf.data)}

    return zip_edit(src, dest, members)


def parquet_bytes(table: Any) -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()
