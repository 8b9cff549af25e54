"""Map a country *name* as Peruvian publishers write it (Spanish, upper case) to ISO 3166 alpha-2.

PROMPERÚ Infotrade and some SUNAT outputs give the destination as a Spanish name (``ESTADOS UNIDOS``,
``PAISES BAJOS``, ``COREA DEL SUR``) rather than a code. The lookup is built, first match winning, from
the reference table ``countries`` (``name_es`` as SUNAT/Mincetur write it, ``name_en``), pycountry's names and
their Spanish translations (the iso-codes ``es`` catalogue), and a small table of publisher spellings
neither has (``HOLANDA``, ``COREA (SUR), REPUBLICA DE``, ``INGLATERRA`` …).
Matching ignores accents, case and punctuation.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

from comercio.errors import ReferenceDataError
from comercio.sources._departments import normalize_label

# Publisher spellings missing from pycountry's Spanish catalogue (matched after normalization).
_EXTRA_NAMES: dict[str, str] = {
    "HOLANDA": "NL",
    "ESTADOS UNIDOS DE AMERICA": "US",
    "EE UU": "US",
    "EEUU": "US",
    "COREA DEL SUR": "KR",
    "COREA SUR REPUBLICA DE": "KR",
    "COREA REPUBLICA DE": "KR",
    "COREA DEL NORTE": "KP",
    "RUSIA": "RU",
    "TAIWAN": "TW",
    "TAIWAN FORMOSA": "TW",
    "HONG KONG": "HK",
    "REPUBLICA CHECA": "CZ",
    "VIETNAM": "VN",
    "BOLIVIA": "BO",
    "VENEZUELA": "VE",
    "IRAN": "IR",
    "TANZANIA": "TZ",
    "MOLDAVIA": "MD",
    "SIRIA": "SY",
    "LAOS": "LA",
    "GRAN BRETANA": "GB",
    "INGLATERRA": "GB",
    "EMIRATOS ARABES UNIDOS": "AE",
    "ARABIA SAUDITA": "SA",
    "ARABIA SAUDI": "SA",
    "BELICE": "BZ",
    "COSTA DE MARFIL": "CI",
    "REPUBLICA DOMINICANA": "DO",
    "PUERTO RICO": "PR",
    "MACAO": "MO",
    "PALESTINA": "PS",
    "SUDAFRICA": "ZA",
    "TRINIDAD Y TOBAGO": "TT",
    "CURAZAO": "CW",
}


def _reference_countries() -> list[dict[str, object]]:
    """Rows of the reference table ``countries`` (empty if the reference layer has no loader)."""
    from comercio import reference

    load = getattr(reference, "load", None)
    if load is None:  # pragma: no cover - the reference layer ships with the package
        return []
    table = load("countries")
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
    """Normalized name -> alpha-2, from pycountry (English and Spanish) and the publisher spellings."""
    spanish = _spanish_catalogue()
    mapping: dict[str, str] = {}
    for row in _reference_countries():
        for column in ("name_es", "name_en"):
            if row.get(column):
                mapping.setdefault(normalize_label(str(row[column])), str(row["alpha2"]))
    for country in pycountry.countries:
        code = country.alpha_2
        names = {country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)}
        for name in [n for n in names if n]:
            mapping.setdefault(normalize_label(spanish.gettext(name)), code)
        for name in [n for n in names if n]:
            mapping.setdefault(normalize_label(name), code)
    for name, code in _EXTRA_NAMES.items():
        mapping[normalize_label(name)] = code
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
