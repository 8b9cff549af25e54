"""Code fields of SUNAT microdata: vectorised checks on their bytes and their zero-padded Arrow strings.

Kept apart from :mod:`comercio.sources._microdata_build` so each module stays small. Everything works on a
field's ``(rows, width)`` byte matrix with a few numpy passes; a column holding bytes outside printable
ASCII (rare in code fields) takes Arrow's Unicode-aware path, so the result never depends on the path.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from comercio.sources import _dbf

NAME_PREFIX = 24  # bytes of the trader's name read: enough to see "No Disponible" after a few spaces
MASKED = "^[ ._-]*no[ ._-]*disponible"  # on the folded name: lower case, no accents
_ACCENTED = {
    "a": "àáâãäåÀÁÂÃÄÅ",
    "e": "èéêëÈÉÊË",
    "i": "ìíîïÌÍÎÏ",
    "o": "òóôõöÒÓÔÕÖ",
    "u": "ùúûüÙÚÛÜ",
    "n": "ñÑ",
}


def _fold_table() -> np.ndarray:
    """latin-1 byte → lower-case ASCII without accents; other bytes (controls, symbols) → ``?``."""
    fold = np.array([c if 0x20 <= c < 0x80 else ord("?") for c in range(256)], dtype=np.uint8)
    fold[ord("A") : ord("Z") + 1] += 32
    for base, accented in _ACCENTED.items():
        fold[list(accented.encode("latin-1"))] = ord(base)
    return fold


_FOLD = _fold_table()
_OPENS = np.isin(_FOLD, np.frombuffer(b" ._-n", dtype=np.uint8))  # bytes a masked name may start with


_QUADS = np.array([list(f"{i:04d}".encode()) for i in range(10_000)], dtype=np.uint8)  # 0000 … 9999
_QUAD_WORDS = _QUADS.view(np.uint32).ravel()  # the same four bytes as one word each


def digit_bytes(values: np.ndarray, width: int) -> np.ndarray:
    """The last ``width`` decimal digits of non-negative ints, zero-padded, as a ``(rows, width)`` byte
    matrix: four digits at a time, each group one 4-byte word of a lookup table."""
    v = values.astype(np.int64, copy=False)
    words = -(-width // 4)
    out = np.empty((v.shape[0], words), dtype=np.uint32)
    for j in range(words - 1, -1, -1):
        v, quad = np.divmod(v, 10_000) if j else (v, v % 10_000)
        out[:, j] = _QUAD_WORDS[quad]
    return out.view(np.uint8)[:, 4 * words - width :]


def strings(matrix: np.ndarray) -> pa.StringArray:
    """Fixed-width ASCII rows of a byte matrix as Arrow strings (one buffer, no copy per row)."""
    n, width = matrix.shape
    offsets = pa.py_buffer(np.arange(0, (n + 1) * width, width, dtype=np.int32))
    return pa.StringArray.from_buffers(n, offsets, pa.py_buffer(np.ascontiguousarray(matrix)))


def zfill(values: np.ndarray, width: int) -> pa.StringArray:
    """Zero-padded decimal strings of non-negative ints (a longer value keeps its last ``width`` digits)."""
    return strings(digit_bytes(values, width))


def zfill_min(values: np.ndarray, width: int) -> pa.Array:
    """Zero-padded to at least ``width`` digits; longer numbers keep all their digits."""
    top = int(values.max()) if values.size else 0
    full = zfill(values, max(width, len(str(top))))
    return pc.utf8_lpad(pc.utf8_ltrim(full, "0"), width, "0")


def const(value: str, n: int) -> pa.StringArray:
    raw = value.encode()
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * len(raw)).tobytes())
    return pa.StringArray.from_buffers(n, offsets, pa.py_buffer(raw * n))


def masked_names(col: np.ndarray) -> np.ndarray:
    """Rows whose name starts with "No Disponible" (a natural person masked by SUNAT), whatever the case,
    accents, spaces or dots: the first bytes folded to lower-case ASCII through one lookup table. Only
    rows whose first byte can open such a name (``n`` or a separator) go through the regular expression."""
    out = np.zeros(col.shape[0], dtype=bool)
    maybe = np.flatnonzero(_OPENS[col[:, 0]]) if col.shape[1] else np.empty(0, np.int64)
    if maybe.size:
        head = np.ascontiguousarray(_FOLD[col[maybe, :NAME_PREFIX]])
        out[maybe] = pc.match_substring_regex(_dbf.text(head), MASKED).to_numpy(zero_copy_only=False)
    return out


def _plain(t: np.ndarray) -> bool:
    """Whether every byte is printable ASCII or a space (then only spaces can be trimmed)."""
    return not ((t - np.uint8(0x20)) >= 0x5F).any()  # uint8 wraps: one comparison for < 0x20 or >= 0x7F


def _first_two(t: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows, last = np.arange(t.shape[1]), t.shape[0] - 1
    return t[np.minimum(start, last), rows], t[np.minimum(start + 1, last), rows]


def _upper(b: np.ndarray) -> np.ndarray:
    return np.asarray((b - np.uint8(ord("A"))) < 26)


def country_bad(t: np.ndarray, trimmed: pa.StringArray) -> np.ndarray:
    """Rows whose trimmed text is neither empty nor two capital letters (ISO 3166 alpha-2); ``t`` is the
    field transposed, ``(width, rows)``."""
    if not _plain(t):
        ok = pc.or_(pc.equal(trimmed, ""), pc.match_substring_regex(trimmed, "^[A-Z]{2}$"))
        return np.asarray(pc.invert(ok).to_numpy(zero_copy_only=False))
    start, end = _dbf.bounds(t)
    first, second = _first_two(t, start)
    size = end - start
    return np.asarray(~((size == 0) | ((size == 2) & _upper(first) & _upper(second))))


def last_digit(t: np.ndarray, trimmed: pa.StringArray) -> tuple[pa.StringArray, np.ndarray]:
    """The trimmed text's last character (transport mode: SUNAT's code ends with it) and where it is
    not a digit (an empty text is fine); ``t`` is the field transposed, ``(width, rows)``."""
    if not _plain(t):
        last = pc.utf8_slice_codeunits(trimmed, -1)
        ok = pc.or_(pc.equal(last, ""), pc.match_substring_regex(last, "^[0-9]$"))
        return last, np.asarray(pc.invert(ok).to_numpy(zero_copy_only=False))
    n = t.shape[1]
    start, end = _dbf.bounds(t)
    filled = end > start
    byte = t[np.maximum(end - 1, 0), np.arange(n)]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(filled, out=offsets[1:])
    data = np.ascontiguousarray(byte[filled])
    last = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return last, np.asarray(filled & ((byte - np.uint8(0x30)) >= 10))


def declaration(office: np.ndarray, year: np.ndarray, number: np.ndarray) -> pa.Array:
    """``OOO-YYYY-NNNNNN``: office, year and number zero-padded (the number to at least 6 digits)."""
    if number.size and int(number.max()) >= 10**6:  # some longer numbers: widths differ row by row
        return pc.binary_join_element_wise(
            zfill(office, 3), zfill(year, 4), zfill_min(number, 6), "-"
        )  # fmt: skip
    out = np.empty((office.shape[0], 15), dtype=np.uint8)
    out[:, [3, 8]] = ord("-")
    out[:, :3], out[:, 4:8], out[:, 9:] = (
        digit_bytes(office, 3),
        digit_bytes(year, 4),
        digit_bytes(number, 6),
    )
    return strings(out)
