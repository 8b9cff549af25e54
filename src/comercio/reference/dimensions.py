"""The dimensions comercio can group and filter by, declared once.

Every place that names a dimension — the indicator specs, the dataset chooser, the engine's cube, the API's
parameters, the dashboard's explorer, the fact catalogue's typed id parts and the member labels of every
surface — reads this table, declared in ``data/dimensions.toml``. Adding a dimension is one entry there (plus,
when its members come from a new reference table, that table's CSV).

A dimension is either a column of the canonical datasets (``department``, ``customs_office``, ``partner``,
``product``) or derived from one through a reference table (``macroregion`` from ``department``, ``continent``
from ``partner``, ``product_group`` from ``product`` …). ``derive`` says how; the engine compiles each kind
with one function (:data:`comercio.indicators.engine.DERIVE`):

- ``total``: one member, the national total;
- ``column``: the ``needs`` column itself;
- ``prefix``: its first ``attribute`` characters (``hs6`` from ``product``);
- ``attribute``: the ``attribute`` column of the ``needs`` dimension's reference table (``region_group`` of a
  department);
- ``continent``: the same, where the grouping's scheme may name another column (``subcontinent``);
- ``macroregion``: this dimension's own table, rows of the grouping's scheme, keyed by the ``needs`` column;
- ``classifier``: the product-group classifier (longest matching prefix);
- ``sector``: the basket path (of classified lines, or of a published tree), cut at the grouping's level.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Literal

from comercio.errors import ConfigError
from comercio.i18n import t
from comercio.reference._loader import DATA_DIR, load
from comercio.reference.labels import PATH_SEPARATOR, display_label

Derive = Literal["total", "column", "prefix", "attribute", "macroregion", "continent", "classifier", "sector"]
LANGS = ("es", "en")


@dataclass(frozen=True)
class Labels:
    """Where a dimension's member names live: a reference table, its code column, a column per language."""

    table: str
    code: str
    es: str
    en: str
    where: tuple[tuple[str, str], ...] = ()  # (column, value) filters, e.g. one macroregion grouping
    aliases: tuple[str, ...] = ()  # other code columns naming the same member (a country's alpha-3)


@dataclass(frozen=True)
class Dimension:
    """One dimension: its name, what raw column it needs, how members are derived, and how they read."""

    name: str
    label_es: str
    label_en: str
    needs: str | None  # the raw dataset column it is computed from (None: the national total)
    derive: Derive
    pattern: str  # regular expression a member code must match (typed parts of fact ids, API filters)
    labels: Labels | None = None
    attribute: str | None = None  # "attribute"/"continent": a column of the ``needs`` dimension's reference
    # table (a grouping's scheme names another one for "continent"); "prefix": the code length
    scheme: str | None = None  # the scheme used when a grouping names none (macroregion: mincetur)
    on_demand: bool = False  # its column multiplies a cube's size: kept only when a question needs it
    explorer: bool = False  # offered as a grouping in the dashboard's explorer
    api: bool = True  # accepted as ``grouping`` by the API

    def label(self, lang: str) -> str:
        return {"es": self.label_es, "en": self.label_en}[lang]


def _declared() -> tuple[Dimension, ...]:
    """The rows of ``data/dimensions.toml``, in their order."""
    raw = tomllib.loads((DATA_DIR / "dimensions.toml").read_text(encoding="utf-8"))
    out: list[Dimension] = []
    for name, row in raw.items():
        names = row.get("names")
        labels = None
        if names is not None:
            where = tuple((str(k), str(v)) for k, v in names.get("where", {}).items())
            aliases = tuple(names.get("aliases", ()))
            labels = Labels(names["table"], names["code"], names["es"], names["en"], where, aliases)
        out.append(
            Dimension(
                name,
                row["label"]["es"],
                row["label"]["en"],
                row.get("needs"),
                row["derive"],
                row["pattern"],
                labels,
                attribute=row.get("attribute"),
                scheme=row.get("scheme"),
                on_demand=row.get("on_demand", False),
                explorer=row.get("explorer", False),
                api=row.get("api", True),
            )
        )
    return tuple(out)


DIMENSIONS: tuple[Dimension, ...] = _declared()
BY_NAME: dict[str, Dimension] = {d.name: d for d in DIMENSIONS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def dimension(name: str) -> Dimension:
    """The declared dimension ``name``; a clear error listing the known ones otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ConfigError(
            f"unknown dimension {name!r}; choose one of {', '.join(NAMES)}", field="dimension"
        ) from None


@cache
def member_names(name: str, lang: str) -> dict[str, str]:
    """Code → member name in ``lang`` for a dimension with a reference table (empty dict otherwise)."""
    if lang not in LANGS:
        raise ConfigError(f"unsupported language {lang!r}; use one of {LANGS}", field="lang")
    d = dimension(name)
    if d.labels is None:
        return {}
    spec = d.labels
    column = {"es": spec.es, "en": spec.en}[lang]
    out: dict[str, str] = {}
    for row in load(spec.table).to_pylist():
        if any(str(row.get(k)) != v for k, v in spec.where):
            continue
        code = str(row[spec.code])
        text = str(row.get(column) or row.get(spec.es) or code)
        for key in (code, *(str(row[a]) for a in spec.aliases if row.get(a))):
            out.setdefault(key, text)
    if spec.table != "dimension_members":  # members outside the main table (destinations that are no country)
        for row in load("dimension_members").to_pylist():
            if row["dimension"] == name:
                out.setdefault(str(row["code"]), str(row[f"name_{lang}"]))
    return out


@cache
def _articles(name: str, lang: str) -> dict[str, str]:
    """Code → the article prose puts before a member's name in ``lang`` (the ``article_<lang>`` column)."""
    d = dimension(name)
    if d.labels is None:
        return {}
    column = f"article_{lang}"
    out: dict[str, str] = {}
    for row in load(d.labels.table).to_pylist():
        if row.get(column):
            for key in (str(row[d.labels.code]), *(str(row[a]) for a in d.labels.aliases if row.get(a))):
                out[key] = str(row[column])
    return out


def in_prose(name: str, code: str | None, lang: str = "es") -> str:
    """A member's name as a sentence writes it: :func:`label` with its article where the language puts one
    (``US`` → "the United States" in English, "Estados Unidos" in Spanish)."""
    text = label(name, code, lang)
    article = _articles(name, lang).get(code or "")
    return f"{article} {text}" if article else text


def label(name: str, code: str | None, lang: str = "es") -> str:
    """The name of one member in ``lang`` (``15`` → ``Lima``; ``costa`` → ``coast``), else the code itself."""
    if code is None:
        return ""
    if name == "national":
        return t("common.national", lang)
    if name == "sector":
        return display_label(code.split(PATH_SEPARATOR)[-1])
    return member_names(name, lang).get(code, code)
