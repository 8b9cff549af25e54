"""NANDINA (Andean Community, Decision 885) 8-digit codes and their Spanish labels → table ``ref_nandina``.

The publisher path is a JSON-lines corpus (one object a line; the 8-digit codes are the rows with ``tipo``
``nandina_8``: ``codigo``, ``titulo``, ``section``, ``chapter``, ``pagina_inicio``); the mirror keeps those
rows flattened to a CSV (``codigo_nandina8, hs6, descripcion_hoja, seccion, capitulo, pagina_pdf,
posible_truncado``). The reader sniffs which one it was given and returns one table of text columns:
``nandina8, hs6, label_es, section, chapter, page, posible_truncado``.

The labels are *leaf* labels as printed in the tariff ("Los demás", "- Alpacas (Lama pacus)"): they name an
item only under their heading, so whoever shows one joins the parent labels (:mod:`comercio.query.search`
joins the HS 2022 heading and subheading). Labels the extraction probably cut at a PDF line break are flagged
``posible_truncado`` = ``1``: the CSV says so; for the JSON corpus the reader flags a label with an unclosed
parenthesis or ending in a joining word or comma (``manatíes y``). A file is refused, naming its row and
column, when a code is not 8 digits, repeats, disagrees with its HS6 code, has no label, or when the table
is cut short (fewer than :data:`MIN_ROWS` codes; the edition has 7 644).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa

from comercio.errors import ParseError
from comercio.sources._text import read_text, unique_header
from comercio.sources.protocol import Part, Reader, ReadOptions, ReadResult, fixed

DATASET = "ref_nandina"
SLICE = "nandina_d885"
COLUMNS = ("nandina8", "hs6", "label_es", "section", "chapter", "page", "posible_truncado")
CSV_COLUMNS = {  # mirror CSV column → table column
    "codigo_nandina8": "nandina8",
    "hs6": "hs6",
    "descripcion_hoja": "label_es",
    "seccion": "section",
    "capitulo": "chapter",
    "pagina_pdf": "page",
    "posible_truncado": "posible_truncado",
}
JSON_FIELDS = {"codigo": "nandina8", "titulo": "label_es", "section": "section", "chapter": "chapter"}
JSON_KIND = "nandina_8"
MIN_ROWS = 7000
_CODE = re.compile(r"^\d{8}$")
_CUT_WORDS = {
    "y",
    "o",
    "e",
    "u",
    "de",
    "del",
    "la",
    "las",
    "el",
    "los",
    "en",
    "con",
    "a",
    "al",
    "para",
    "por",
}


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The NANDINA codes as one text table (not conformed: a reference table keeps its own columns)."""
    path = Path(path)
    text = read_text(path)
    if not text.strip():
        raise ParseError("empty file", file=path.name)
    rows = _from_jsonl(text, path.name) if text.lstrip().startswith("{") else _from_csv(text, path.name)
    check_codes(rows, path.name)
    table = pa.table({c: pa.array([r[c] for _, r in rows], pa.string()) for c in COLUMNS})
    flagged = sum(r["posible_truncado"] == "1" for _, r in rows)
    notes = (f"{len(rows):,} NANDINA codes; {flagged} labels flagged as possibly cut (posible_truncado)",)
    return ReadResult((Part(DATASET, SLICE, table, conform=False),), notes=notes)


def _from_csv(text: str, file: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in next(reader, [])]
    unique_header(header, file)
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ParseError(
            f"not the NANDINA table: missing column(s) {', '.join(missing)} "
            f"(header: {','.join(header)[:120]})",
            file=file,
            row=1,
            column=missing[0],
        )
    at = {c: header.index(c) for c in CSV_COLUMNS}
    out: list[tuple[int, dict[str, str]]] = []
    for n, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ParseError(
                f"{len(cells)} fields where the header has {len(header)}", file=file, row=n, column=header[-1]
            )
        row = {CSV_COLUMNS[c]: cells[i].strip() for c, i in at.items()}
        if row["posible_truncado"] not in ("0", "1"):
            raise ParseError(
                f"posible_truncado must be 0 or 1, not {row['posible_truncado']!r}",
                file=file,
                row=n,
                column="posible_truncado",
            )
        out.append((n, row))
    return out


def _from_jsonl(text: str, file: str) -> list[tuple[int, dict[str, str]]]:
    out: list[tuple[int, dict[str, str]]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(f"not a JSON object ({exc.msg})", file=file, row=n) from None
        if not isinstance(obj, dict) or obj.get("tipo") != JSON_KIND:
            continue
        missing = [k for k in JSON_FIELDS if k not in obj]
        if missing:
            raise ParseError(
                f"a {JSON_KIND} record without {missing[0]!r}", file=file, row=n, column=missing[0]
            )
        row = {col: str(obj[key]).strip() for key, col in JSON_FIELDS.items()}
        row["hs6"] = row["nandina8"][:6]
        row["page"] = str(obj.get("pagina_inicio") or "")
        row["posible_truncado"] = "1" if looks_cut(row["label_es"]) else "0"
        out.append((n, row))
    return out


def looks_cut(label: str) -> bool:
    """A label probably cut at a line break: an unclosed parenthesis, or a joining word or comma last."""
    text = label.strip()
    if text.count("(") > text.count(")") or text.endswith((",", ";", ":")):
        return True
    last = text.rsplit(" ", 1)[-1].lower()
    return last in _CUT_WORDS


def check_codes(rows: list[tuple[int, dict[str, str]]], file: str) -> None:
    """Refuse a table that is not a whole, coherent list of NANDINA codes (rows are the file's lines)."""
    if len(rows) < MIN_ROWS:
        raise ParseError(
            f"only {len(rows)} codes; NANDINA (Decision 885) has 7 644 (at least {MIN_ROWS:,})",
            file=file,
            hint="the file may be cut short or another table",
        )
    seen: dict[str, int] = {}
    for n, row in rows:
        code = row["nandina8"]
        if not _CODE.match(code):
            raise ParseError(f"code {code!r} is not 8 digits", file=file, row=n, column="codigo_nandina8")
        if code in seen:
            raise ParseError(
                f"code {code} repeats row {seen[code]}", file=file, row=n, column="codigo_nandina8"
            )
        seen[code] = n
        if row["hs6"] != code[:6]:
            raise ParseError(
                f"hs6 {row['hs6']!r} is not the first six digits of {code}", file=file, row=n, column="hs6"
            )
        if not row["label_es"]:
            raise ParseError(f"code {code} has no label", file=file, row=n, column="descripcion_hoja")


READER = Reader(
    read=read, targets=fixed((DATASET, SLICE)), files="the NANDINA 8-digit codes (CSV or JSON lines)"
)
