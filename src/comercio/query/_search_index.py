"""The entries product and country search looks through, built once per warehouse version.

Products: HS 2022 chapters, headings and subheadings (English labels, the ``ref_hs2022`` table) and NANDINA
8-digit codes (Spanish leaf labels, the ``ref_nandina`` table), plus the curated product groups (``palta``,
``café``: reference table ``product_groups``) attached to the code of their prefix. A NANDINA leaf label
("Los demás") is shown after its subheading's label; a subheading with a single NANDINA line takes that
line's Spanish label as its own (080440 "Aguacates (paltas)"), otherwise its Spanish label is the group name
or, failing that, the HS English label. A label the NANDINA table flags as possibly cut ends in "…".
Partners: the reference countries (Spanish and English names, alpha-3, every spelling SUNAT has printed)
and the continents.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from comercio import reference
from comercio.reference import dimensions

if TYPE_CHECKING:
    from comercio.warehouse import Warehouse

SEPARATOR = " › "
HS_LEVELS = {2: "hs2", 4: "hs4", 6: "hs6"}


@dataclass(frozen=True)
class Entry:
    """One thing search can find: its code, level, the query dimension that filters by it, labels, and every
    name it answers to (original spelling; matching folds them)."""

    code: str
    level: str  # hs2, hs4, hs6, nandina8, country, continent
    dimension: str  # the query dimension a filter on it uses
    label_es: str
    label_en: str
    names: tuple[str, ...]
    rank: int  # tie-break between equally good matches: groups and countries, then coarser codes first
    folded: tuple[str, ...] = ()  # the names folded (lower case, no accents, no punctuation)
    blob: str = ""  # the folded names joined, for a quick first test

    def __post_init__(self) -> None:
        folded = tuple(fold(n) for n in self.names)
        object.__setattr__(self, "folded", folded)
        object.__setattr__(self, "blob", " | ".join(folded))


_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, single spaces: ``Café, tostado`` → ``cafe tostado``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(_NOT_WORD.sub(" ", plain).split())


_GENERIC = {"los", "las", "otros", "otras", "de", "del", "en", "con", "sin", "para", "a", "que"}


def _leaf(row: dict[str, str]) -> str:
    """A NANDINA line's own label without the tariff's indent dash; "…" where the label was probably cut
    (``posible_truncado``: the tariff's text goes on past a PDF line break)."""
    leaf = row["label_es"].strip().lstrip("-").strip()
    return leaf + "…" if row.get("posible_truncado") == "1" else leaf


def standalone(leaf: str) -> bool:
    """A leaf label that names a product by itself ("Aguacates (paltas)"), unlike "Los demás", "Frescas" or
    "De orujo de uvas": two words or more, not opening with a generic word or a preposition."""
    words = fold(leaf).split()
    return len(words) >= 2 and words[0] not in _GENERIC


def _ref(wh: Warehouse | None, dataset: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if wh is None or not wh.has(dataset):
        return []
    table = wh.table(dataset).select(*columns).to_pyarrow()
    return [{k: str(v) if v is not None else "" for k, v in r.items()} for r in table.to_pylist()]


def _groups() -> dict[str, list[tuple[str, str]]]:
    """Prefix → [(name_es, name_en)] of the curated product groups."""
    out: dict[str, list[tuple[str, str]]] = {}
    for row in reference.load("product_groups").to_pylist():
        out.setdefault(str(row["prefix"]), []).append((str(row["name_es"]), str(row["name_en"])))
    return out


def products(wh: Warehouse | None) -> tuple[Entry, ...]:
    """Every product entry the loaded reference tables and the product groups give."""
    hs = {r["hscode"]: r["description"] for r in _ref(wh, "ref_hs2022", ("hscode", "description"))}
    hs.pop("TOTAL", None)
    nandina = _ref(wh, "ref_nandina", ("nandina8", "hs6", "label_es", "posible_truncado"))
    groups = _groups()
    children: dict[str, list[dict[str, str]]] = {}
    for r in nandina:
        children.setdefault(r["hs6"], []).append(r)
    spanish: dict[str, str] = {}
    for hs6, rows in children.items():
        if len(rows) == 1 and standalone(_leaf(rows[0])):
            spanish[hs6] = _leaf(rows[0])
    for prefix, pairs in groups.items():
        spanish.setdefault(prefix, pairs[0][0][:1].upper() + pairs[0][0][1:])
    out: list[Entry] = []
    for code in sorted(set(hs) | set(groups)):
        if len(code) not in HS_LEVELS and code not in groups:
            continue
        level = HS_LEVELS.get(len(code), "nandina8" if len(code) == 8 else "product")
        en = hs.get(code) or groups[code][0][1]
        names = (spanish.get(code, ""), en, *(n for pair in groups.get(code, []) for n in pair))
        rank = 0 if code in groups else (1 if len(code) <= 4 else 2)
        dim = level if level in HS_LEVELS.values() else "product"
        out.append(Entry(code, level, dim, spanish.get(code) or en, en, tuple(n for n in names if n), rank))
    for r in nandina:
        code, hs6, leaf = r["nandina8"], r["hs6"], _leaf(r)
        parent_es = spanish.get(hs6) or hs.get(hs6, "")
        label_es = leaf if parent_es in ("", leaf) else f"{parent_es}{SEPARATOR}{leaf}"
        parent_en = hs.get(hs6, "")
        label_en = f"{parent_en}{SEPARATOR}{leaf}" if parent_en else leaf
        out.append(Entry(code, "nandina8", "product", label_es, label_en, (label_es, label_en), 3))
    return tuple(out)


@cache
def partners() -> tuple[Entry, ...]:
    """Every country (with SUNAT's spellings and alpha-3 as other names) and every continent."""
    spellings: dict[str, list[str]] = {}
    for row in reference.load("sunat_countries").to_pylist():
        spellings.setdefault(str(row["alpha2"]), []).append(str(row["spelling"]))
    out: list[Entry] = []
    for row in reference.load("countries").to_pylist():
        code, es, en = str(row["alpha2"]), str(row["name_es"]), str(row.get("name_en") or row["name_es"])
        names = (es, en, code, str(row.get("alpha3") or ""), *spellings.get(code, []))
        out.append(Entry(code, "country", "partner", es, en, tuple(n for n in names if n), 0))
    es_names, en_names = (
        dimensions.member_names("continent", "es"),
        dimensions.member_names("continent", "en"),
    )
    for code, es in es_names.items():
        out.append(
            Entry(code, "continent", "continent", es, en_names.get(code, es), (es, en_names.get(code, es)), 1)
        )
    return tuple(out)
