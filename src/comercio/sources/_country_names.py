"""Map a country *name* as Peruvian publishers write it (Spanish, upper case) to ISO 3166 alpha-2.

SUNAT's cuadro G 6, PROMPERÚ Infotrade and other Peruvian tables give the destination as a Spanish name
(``ESTADOS UNIDOS``, ``COREA (SUR), REPUBLICA DE``, ``PAISES BAJOS``) rather than a code. The lookup is
built, first match winning, from the reference table of publisher spellings (``sunat_countries.csv``: every
spelling SUNAT's G6 has printed since 2005, a few of other publishers, and the few destinations that are not
countries, with a user-assigned code), the reference table ``countries`` (``name_es``), and pycountry's
names and their Spanish translations (the iso-codes ``es`` catalogue). Matching ignores accents, case and
punctuation.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from comercio import reference
from comercio.errors import ReferenceDataError
from comercio.sources._departments import normalize_label

SPELLINGS_TABLE = "sunat_countries"


def _user_assigned(code: str) -> bool:
    """ISO 3166-1 user-assigned codes: AA, QM-QZ, XA-XZ, ZZ."""
    return code in ("AA", "ZZ") or (code[0] == "Q" and code[1] >= "M") or code[0] == "X"


def _known(code: str, kind: str) -> bool:
    if kind == "country":
        return pycountry.countries.get(alpha_2=code) is not None
    if kind == "former":
        return any(c.alpha_2 == code for c in pycountry.historic_countries)
    return _user_assigned(code)


@dataclass(frozen=True)
class Spelling:
    """One publisher spelling: its code, and whether it is a country, a former one or not a country."""

    spelling: str
    alpha2: str
    kind: str


@lru_cache(maxsize=1)
def spellings() -> dict[str, Spelling]:
    """Normalized spelling → :class:`Spelling`, from the reference table ``sunat_countries``.

    Each code must be of its kind (an ISO 3166-1 country, an ISO 3166-3 former country, or a user-assigned
    code for what is not a country); two spellings that match alike must share their code.
    """
    path = reference.info(SPELLINGS_TABLE).path.name
    out: dict[str, Spelling] = {}
    for row in reference.load(SPELLINGS_TABLE).to_pylist():
        name, code, kind = str(row["spelling"]), str(row["alpha2"]), str(row["kind"])
        if not _known(code, kind):
            raise ReferenceDataError(
                f"spelling {name!r}: {code!r} is not a code of kind {kind!r} "
                "(ISO 3166-1 country, ISO 3166-3 former country, or user-assigned)",
                file=path,
                field="alpha2",
            )
        key = normalize_label(name)
        if key in out and out[key].alpha2 != code:
            raise ReferenceDataError(
                f"spelling {name!r} matches {out[key].spelling!r} (accents, case and punctuation ignored) "
                f"but has another code ({code} vs {out[key].alpha2})",
                file=path,
                field="alpha2",
            )
        out.setdefault(key, Spelling(name, code, kind))
    return out


def _reference_countries() -> list[dict[str, object]]:
    """Rows of the reference table ``countries``."""
    table = reference.load("countries")
    columns = [c for c in ("alpha2", "name_es", "name_en") if c in table.column_names]
    if "alpha2" not in columns:
        raise ReferenceDataError("reference table 'countries' has no column 'alpha2'", field="alpha2")
    rows: list[dict[str, object]] = table.select(columns).to_pylist()
    return rows


def _spanish_catalogue() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    except OSError:  # pragma: no cover - catalogue shipped with pycountry
        return gettext.NullTranslations()


@lru_cache(maxsize=1)
def _name_map() -> dict[str, str]:
    """Normalized name -> alpha-2: publisher spellings first, then the reference table and pycountry."""
    mapping = {key: s.alpha2 for key, s in spellings().items()}
    for row in _reference_countries():
        for column in ("name_es", "name_en"):
            if row.get(column):
                mapping.setdefault(normalize_label(str(row[column])), str(row["alpha2"]))
    spanish = _spanish_catalogue()
    for country in pycountry.countries:
        code = country.alpha_2
        names = {country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)}
        for name in [n for n in names if n]:
            mapping.setdefault(normalize_label(spanish.gettext(name)), code)
        for name in [n for n in names if n]:
            mapping.setdefault(normalize_label(name), code)
    return mapping


def country_code(name: str) -> str | None:
    """ISO 3166 alpha-2 of a country name (Spanish or English) or code, or None if unknown."""
    key = normalize_label(name)
    if not key:
        return None
    found = _name_map().get(key)
    if found is not None:
        return found
    if len(key) in (2, 3) and key.isalpha():
        try:
            return str(pycountry.countries.lookup(key).alpha_2)
        except LookupError:
            return None
    return None
