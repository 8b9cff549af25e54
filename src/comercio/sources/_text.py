"""Reading a publisher's text file safely: one place that refuses what is not text, and repeated columns.

Publishers' CSVs come in UTF-8 (with or without BOM) or latin-1. Latin-1 maps every byte to a character, so a
binary file, random bytes or a UTF-16 export would "decode" into garbage; their NUL bytes (or the UTF-16 byte
order mark) give them away and the file is refused with a clear error instead of a parser's traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from comercio.errors import ParseError

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def check_file(path: Path) -> None:
    """Refuse a path that is missing or a directory, naming it (the reader's first step)."""
    if path.is_dir():
        raise ParseError(
            "is a directory, not a file", file=path.name, hint="give the path of the file itself"
        )
    if not path.exists():
        raise ParseError("no such file", file=path.name)


def read_text(path: Path, *, latin1: bool = True) -> str:
    """The file's text (UTF-8, else latin-1 unless ``latin1`` is False); ParseError for unreadable, binary or
    UTF-16 content."""
    check_file(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}", file=path.name) from None
    return decode(raw, path.name, latin1=latin1)


def decode(raw: bytes, file: str, *, latin1: bool = True) -> str:
    """Decode a text file's bytes (UTF-8, else latin-1), refusing UTF-16 and binary content; with
    ``latin1=False`` a file that is not UTF-8 is refused, naming the row of the first bad byte."""
    if raw.startswith(_UTF16_BOMS):
        raise ParseError("the file is UTF-16 text; save it as UTF-8 (or latin-1) CSV", file=file)
    if b"\x00" in raw:
        raise ParseError(
            "the file holds NUL bytes: it is binary, UTF-16 or corrupt, not a CSV text file", file=file
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not latin1:
            row = raw[: exc.start].count(b"\n") + 1
            raise ParseError("not UTF-8 text; save the file as UTF-8 CSV", file=file, row=row) from None
        return raw.decode("latin-1")


def unique_header(header: Sequence[str], file: str, *, row: int = 1, sheet: str | None = None) -> None:
    """Refuse a header naming a column twice (a reader would silently keep only one of them)."""
    seen: set[str] = set()
    for name in header:
        key = name.strip()
        if key and key in seen:
            raise ParseError(f"column {key!r} appears twice", file=file, sheet=sheet, row=row, column=key)
        seen.add(key)


__all__ = ["check_file", "decode", "read_text", "unique_header"]
