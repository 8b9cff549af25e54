"""What a BACI release must look like beyond parsing: columns, amounts and the uniqueness of (t, i, j, k).

Kept apart from :mod:`comercio.sources.baci` (layout and streaming) so each module stays small. Every check
names the member (``BACI_HS17_V202501.zip!BACI_HS17_Y2022_V202501.csv``), the line and the column.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from comercio.errors import ParseError
from comercio.sources._text import decode, unique_header
from comercio.warehouse.contracts import contract

COLUMNS = ("t", "i", "j", "k", "v", "q")
# The world_trade contract's ceiling for one flow (US$ 1 trillion; world trade is ~25 trillion a year, spread
# over millions of flows): a larger value is damage, refused here at its line of the release.
MAX_FLOW_USD: float = contract("world_trade").max["value_usd"]
_HEAD_BYTES = 4096
_SMALL_MEMBER = 64 << 20  # members read whole to verify them (the yearly CSVs are verified as they stream)


def _header(names: list[str], file: str, required: tuple[str, ...]) -> None:
    unique_header(names, file)
    missing = [c for c in required if c not in names]
    if missing:
        raise ParseError(
            f"missing column(s) {', '.join(missing)}; the header has {', '.join(names) or 'nothing'}",
            file=file,
            row=1,
            column=missing[0],
        )


def check_member_header(zf: zipfile.ZipFile, member: str, file: str) -> None:
    """Refuse a yearly member whose header is not ``t,i,j,k,v,q`` (renamed, repeated, UTF-16, binary)."""
    try:
        with zf.open(member) as stream:
            head = stream.read(_HEAD_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise ParseError(f"cannot read the member ({exc}); the zip may be truncated", file=file) from None
    if not head.strip():
        raise ParseError("empty member: no header line", file=file, row=1)
    line = decode(head, file).splitlines()[0]
    _header([c.strip() for c in line.split(",")], file, COLUMNS)


def check_small_members(zf: zipfile.ZipFile, verified: set[str], file: str) -> None:
    """Verify the CRC-32 of every small member (readme, marker) not in ``verified`` (streamed, read whole)."""
    for info in zf.infolist():
        if info.is_dir() or info.filename in verified or info.file_size > _SMALL_MEMBER:
            continue
        try:
            with zf.open(info) as stream:
                while stream.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise ParseError(f"corrupt member ({exc})", file=f"{file}!{info.filename}") from None


def read_code_table(
    zf: zipfile.ZipFile, member: str, file: str, required: tuple[str, ...]
) -> list[dict[str, str]]:
    """A small code table (countries, products) as rows; its header must name ``required`` once each.

    ``required`` entries may give alternatives as ``"a|b"`` (older releases renamed some columns).
    """
    try:
        raw = zf.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise ParseError(f"cannot read the member ({exc}); the zip may be corrupt", file=file) from None
    text = decode(raw, file)
    try:
        reader = csv.DictReader(io.StringIO(text))
        names = [n.strip() for n in reader.fieldnames or []]
        wanted = tuple(next((a for a in alt.split("|") if a in names), alt.split("|")[0]) for alt in required)
        _header(names, file, wanted)
        rows = list(reader)
    except csv.Error as exc:
        raise ParseError(f"not a readable CSV ({exc})", file=file) from None
    if not rows:
        raise ParseError("empty code table", file=file, row=2)
    return rows


def check_amounts(v: pa.Array, q: pa.Array, file: str, line0: int) -> None:
    """Values (US$) and quantities (t) must be finite and non-negative, values below :data:`MAX_FLOW_USD`."""
    for name, col in (("v", v), ("q", q)):
        values = col.to_numpy(zero_copy_only=False)
        present = ~np.isnan(values) if name == "q" else np.ones(values.shape, bool)
        with np.errstate(invalid="ignore"):
            bad = present & (~np.isfinite(values) | (values < 0))
            if name == "v":
                bad |= np.isfinite(values) & (values > MAX_FLOW_USD)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            shown = float(values[i] / 1000.0 if name == "v" else values[i])
            what = "value (thousand US$)" if name == "v" else "quantity (t)"
            why = (
                "is negative"
                if shown < 0
                else "is not finite"
                if not np.isfinite(shown)
                else "is implausible"
            )
            raise ParseError(f"{what} {shown!r} {why}", file=file, row=line0 + i, column=name)


class KeyTracker:
    """Collects the (t, i, j, k) keys of one yearly member; :meth:`finish` refuses a key given twice.

    One int64 per line (a year of BACI is about 11 million lines: ~90 MB), sorted once at the member's end.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self._keys: list[np.ndarray] = []

    def add(self, i: pa.Array, j: pa.Array, k: pa.Array) -> None:
        ki = i.to_numpy(zero_copy_only=False).astype(np.int64).clip(0, 10**6 - 1)
        kj = j.to_numpy(zero_copy_only=False).astype(np.int64).clip(0, 10**6 - 1)
        kk = pc.cast(pc.if_else(pc.match_substring_regex(k, r"^\d{1,6}$"), k, "0"), pa.int64())
        self._keys.append((ki * 10**6 + kj) * 10**6 + kk.to_numpy(zero_copy_only=False))

    def finish(self, line0: int) -> None:
        """``line0``: the member's first data line."""
        if not self._keys:
            raise ParseError("no data lines (only a header)", file=self.file, row=line0)
        keys = np.concatenate(self._keys)
        self._keys = []
        ordered = np.sort(keys)
        same = ordered[1:] == ordered[:-1]
        if same.any():
            key = ordered[1:][same][0]
            first, second = np.flatnonzero(keys == key)[:2]
            raise ParseError(
                f"exporter, importer and product repeat line {line0 + int(first)} (t,i,j,k must be unique)",
                file=self.file,
                row=line0 + int(second),
                column="k",
            )
