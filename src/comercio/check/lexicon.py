"""The words a published text names its subjects with, and the cue words of measures and flows.

Subjects come from the reference tables (department, country and customs-office names, macroregion labels) and
from ``check/data/phrases.csv`` (groups of regions, baskets, G1 sectors, continents: the wording of Mincetur's
and SNI's releases). Matching ignores accents and case, keeps the text's offsets, and the longest phrase at a
position wins ("puerto del Callao" is a customs office, "Lima y Callao" a group, "Callao" a department).
Proper names (departments, countries) must start with a capital letter in the text: "la sierra" is a natural
region, but "sierra" in lower case inside another word is not.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from comercio import reference
from comercio.check.model import Subject, SubjectKind

PHRASES = "data/phrases.csv"


def fold(text: str) -> str:
    """Lower case without accents, one character for one (offsets of the result are the text's)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0] if ch.isalpha() else ch
        out.append(base.lower() if len(base.lower()) == 1 else ch)
    return "".join(out)


@dataclass(frozen=True)
class Entry:
    phrase: str  # folded
    kind: SubjectKind
    code: str | None
    basket: str | None = None
    proper: bool = False  # a proper name: the text must capitalise it


@dataclass(frozen=True)
class Mention:
    """A subject named in the text at ``span``."""

    span: tuple[int, int]
    subject: Subject


def _phrase_rows() -> list[dict[str, str]]:
    text = resources.files("comercio.check").joinpath(PHRASES).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def entries(lang: str) -> tuple[Entry, ...]:
    """Every phrase of ``lang`` (both languages' proper names), longest first."""
    out: dict[str, Entry] = {}

    def add(phrase: str, entry: Entry) -> None:
        key = fold(phrase.strip())
        if key and key not in out:
            out[key] = Entry(key, entry.kind, entry.code, entry.basket, entry.proper)

    for row in _phrase_rows():
        if row["lang"] == lang:
            kind: SubjectKind = row["kind"]  # type: ignore[assignment]
            add(row["phrase"], Entry("", kind, row["code"] or None, row["basket"] or None))
    for r in reference.load("customs_offices").to_pylist():
        add(r["name_prose_es"], Entry("", "customs_office", r["code"]))
        for article in ("aduana de ", "aduana del ", "customs office of "):
            add(article + r["name"], Entry("", "customs_office", r["code"]))
    for r in reference.load("departments").to_pylist():
        if r["ubigeo"] == "99":
            continue
        for name in {r["name"], r["name_en"]}:
            add(name, Entry("", "department", r["ubigeo"], proper=True))
    add("Cuzco", Entry("", "department", "08", proper=True))
    for r in reference.load("macroregions").to_pylist():
        if r["grouping"] == "mincetur":
            label = "macrorregión " if lang == "es" else "macroregion "
            add(
                label + (r["label_es"] if lang == "es" else r["label_en"]),
                Entry("", "macroregion", r["macroregion"]),
            )
    for r in reference.load("countries").to_pylist():
        for name in (r["name_es"], r.get("name_en")):
            if name:
                add(name, Entry("", "partner", r["alpha2"], proper=True))
    for alias in ("EE. UU.", "EE.UU.", "EEUU", "EE UU", "USA", "U.S."):
        add(alias, Entry("", "partner", "US", proper=True))
    return tuple(sorted(out.values(), key=lambda e: -len(e.phrase)))


@cache
def _g1_studies() -> dict[str, str]:
    """The G1 group of each sector study: its code (a normalised label prefix) → the study."""
    groups = {study: reference.group_form(study, "g1") for study in reference.basket_studies()}
    return {form.code: study for study, form in groups.items() if form is not None}


@cache
def _pattern(lang: str) -> re.Pattern[str]:
    alts = "|".join(re.escape(e.phrase) for e in entries(lang))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")


@cache
def _by_phrase(lang: str) -> dict[str, Entry]:
    return {e.phrase: e for e in entries(lang)}


def find_subjects(text: str, lang: str = "es") -> list[Mention]:
    """Every subject the text names, in order, non-overlapping."""
    folded = fold(text)
    index = _by_phrase(lang)
    out = []
    for m in _pattern(lang).finditer(folded):
        e = index[m.group(0)]
        if e.proper and not text[m.start()].isupper():
            continue
        label = text[m.start() : m.end()]
        if e.kind == "g1":  # a node of cuadro G1: a basket of its own (a study's, when one uses it)
            subject = Subject("basket", f"g1:{e.code}", label, _g1_studies().get(e.code or ""))
        else:
            subject = Subject(e.kind, e.code, label, e.basket)
        out.append(Mention((m.start(), m.end()), subject))
    return out


# -- cue words (folded, matched as word starts) -------------------------------------------------------
GROWTH = {
    "es": (
        "crec",
        "aument",
        "increment",
        "subi",
        "subier",
        "avanz",
        "expan",
        "cay",
        "caida",
        "retroce",
        "disminu",
        "redu",
        "baj",
        "descen",
        "contra",
        "variacion",
        "dinamismo",
        "alza",
        "tasa",
        "elev",
        "mas que",
        "por encima",
        "menos que",
        "por debajo",
        "repunt",
        "perd",
        "desplom",
        "trep",
        "caid",
        "cedi",
        "escal",
        "expandi",
        "mejor",
        "slid",
        "slip",
        "duplic",
        "tripl",
        "vendieron menos",
        "vendieron mas",
    ),
    "en": (
        "grow",
        "grew",
        "growth",
        "rise",
        "rose",
        "increas",
        "up ",
        "fell",
        "fall",
        "declin",
        "drop",
        "down",
        "more than",
        "above",
        "below",
        "higher",
        "lower",
        "gain",
        "jump",
        "climb",
    ),
}
SHARE = {
    "es": (
        "particip",
        "concentr",
        "del total",
        "representa",
        "peso",
        "cuota",
        "porcion",
        "contribucion",
        "canaliz",
        "absorb",
        "equivalent",
        "aport",
    ),
    "en": ("share", "accounted", "of the total", "of total", "weight", "handled", "channelled"),
}
POINTS = ("punto", "point", "p.p", "pp")
RECORD = {
    "es": (
        "record",
        "maximo",
        "maximos",
        "historic",
        "nunca antes",
        "mejor cifra",
        "desde que hay registro",
        "nivel mas alto",
    ),
    "en": ("record", "all-time", "historic", "highest ever"),
}
DECLINE = {
    "es": (
        "cay",
        "caida",
        "retroce",
        "disminu",
        "redujer",
        "redujo",
        "baj",
        "descen",
        "contraj",
        "perd",
        "desplom",
        "vendieron menos",
        "menos",
        "caid",
        "cedi",
        "numeros rojos",
        "en rojo",
    ),
    "en": ("fell", "fall", "declin", "drop", "decreas", "contract", "slid", "slip", "shrank", "lost"),
}
IMPORTS = {
    "es": ("importac", "importa", "compras externas", "compras", "proveedor", "adquisicion"),
    "en": ("import", "purchases", "supplier"),
}
EXPORTS = {
    "es": ("export", "envios", "ventas al exterior", "destino", "vendi"),
    "en": ("export", "shipments", "sales abroad", "destination"),
}
FLOWS = {lang: IMPORTS[lang] + EXPORTS[lang] for lang in ("es", "en")}
PROJECTION = {
    "es": ("proyect", "preve", "se espera", "espera cerrar", "pronostic"),
    "en": ("project", "forecast", "expected to"),
}
# a subject named only to be left out ("sin considerar Lima y el Callao")
EXCLUDED = {
    "es": ("sin considerar", "sin contar", "sin incluir", "excepto", "salvo", "a excepcion de"),
    "en": ("excluding", "except", "other than", "leaving out"),
}
# another economy's own trade, not Peru's trade with it ("Chile, cuyas exportaciones del sector superan …")
PEER = {"es": ("cuyas exportaciones", "cuyas importaciones", "economias vecinas"), "en": ("whose exports",)}
BALANCE = {"es": ("deficit", "superavit", "balanza"), "en": ("deficit", "surplus", "balance")}
# counted things that are statistics comercio has no measure for (a claim, not checkable)
STAT_NOUNS = {
    "es": ("empresa", "exportador", "destino", "mercado", "producto", "partida", "pais", "paises"),
    "en": ("firm", "compan", "exporter", "destination", "market", "product", "countr"),
}
# "cada una", "ambas": one number about every subject listed before it
EACH = {"es": ("cada una", "cada uno", "ambas", "ambos"), "en": ("each", "both")}
RESPECTIVELY = {"es": ("respectivamente",), "en": ("respectively",)}


def has_cue(folded: str, cues: tuple[str, ...]) -> bool:
    """Whether a word of ``folded`` starts with one of ``cues`` (a cue with a space matches as a phrase)."""
    return _cues(cues).search(folded) is not None


@cache
def _cues(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?<!\w){re.escape(c)}" for c in cues))
