"""Longest-prefix classification of product codes into named, versioned baskets.

A basket (``baskets.csv``) maps code prefixes of 2 to 10 digits to a path such as
``Tradicionales > Mineros > Cobre``; a code takes the path of its longest matching prefix, and an empty path
excludes it. The same engine maps codes to ``product_groups``.

A sector study's basket exists in up to three forms (``basket_definitions.csv``): a group of SUNAT's cuadro
G1, a WTO product group, or an HS basket of ``baskets.csv``; :func:`basket_forms` returns them with their
names, definitions and sources.

Trade files carry millions of lines but only a few thousand distinct codes, so the codes are
dictionary-encoded, each distinct code is resolved with at most nine dict lookups (prefix lengths
10..2), and the result is mapped back with ``take``: the work grows with distinct codes, not with rows.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from comercio.errors import ReferenceDataError
from comercio.reference._loader import load, parsed

__all__ = [
    "BasketForm",
    "basket_forms",
    "basket_names",
    "basket_studies",
    "classify",
    "group_form",
    "normalize_codes",
    "path_name",
    "product_group",
]

Codes: TypeAlias = pa.Array | pa.ChunkedArray | Sequence[str | None]


def basket_names() -> list[str]:
    """Names of the baskets defined in ``baskets.csv`` (each may have several versions)."""
    return sorted(set(load("baskets").column("basket").to_pylist()))


@dataclass(frozen=True)
class BasketForm:
    """One form of a study's basket (a row of ``basket_definitions.csv``)."""

    basket: str  # the study id, e.g. "metalmecanica"
    form: str  # g1 | wto | hs | f1
    role: str  # group | subsector | export_lines | context
    code: str  # G1 label prefix, WTO product code, baskets.csv basket or CUODE number
    names: dict[str, str]
    definitions: dict[str, str]
    sources: dict[str, str]

    def name(self, lang: str = "es") -> str:
        return self.names[lang]

    def definition(self, lang: str = "es") -> str:
        return self.definitions[lang]

    def source(self, lang: str = "es") -> str:
        return self.sources[lang]

    def extra(self) -> dict[str, str]:
        """What a fact computed on this form records about its basket."""
        return {"basket": self.basket, "basket_form": self.form, "basket_code": self.code}


def basket_studies() -> list[str]:
    """Ids of the studies defined in ``basket_definitions.csv`` (what ``--basket`` accepts)."""
    return sorted(set(load("basket_definitions").column("basket").to_pylist()))


@functools.cache
def _definitions() -> tuple[BasketForm, ...]:
    forms = tuple(
        BasketForm(
            r["basket"],
            r["form"],
            r["role"],
            r["code"],
            {"es": r["name_es"], "en": r["name_en"]},
            {"es": r["definition_es"], "en": r["definition_en"]},
            {"es": r["source_es"], "en": r["source_en"]},
        )
        for r in load("basket_definitions").to_pylist()
    )
    for i, f in enumerate(forms):
        if f.form == "hs" and f.code not in basket_names():
            raise ReferenceDataError(
                f"HS form of {f.basket!r} names basket {f.code!r}, which baskets.csv does not define",
                file=parsed("basket_definitions").path,
                row=parsed("basket_definitions").lines[i],
                column="code",
            )
    return forms


def basket_forms(basket: str, role: str | None = None) -> list[BasketForm]:
    """Every form of study ``basket`` (only those of ``role`` when given), in file order.

    An unknown study is a :class:`ReferenceDataError` that lists the known ones.
    """
    forms = [f for f in _definitions() if f.basket == basket]
    if not forms:
        raise ReferenceDataError(
            f"unknown basket {basket!r}; known baskets: {', '.join(basket_studies())}",
            field="basket",
            hint="`comercio reference show basket_definitions` lists them with their forms",
        )
    return [f for f in forms if role is None or f.role == role]


def group_form(basket: str, form: str) -> BasketForm | None:
    """The ``group`` row of ``basket`` in ``form`` (g1, wto or hs), None when the study has no such form."""
    return next((f for f in basket_forms(basket, "group") if f.form == form), None)


@functools.cache
def _basket_index(basket: str) -> dict[str, str | None]:
    """Prefix → path for ``basket`` (``name`` = latest version, ``name@version`` = that version)."""
    name, _, version = basket.partition("@")
    table = load("baskets")
    rows = [r for r in table.to_pylist() if r["basket"] == name]
    if not rows:
        raise ReferenceDataError(
            f"unknown basket {name!r}; known baskets: {', '.join(basket_names())}",
            file=parsed("baskets").path,
            column="basket",
        )
    versions = sorted({r["version"] for r in rows})
    chosen = version or versions[-1]
    if chosen not in versions:
        raise ReferenceDataError(
            f"basket {name!r} has no version {chosen!r}; versions: {', '.join(versions)}",
            file=parsed("baskets").path,
            column="version",
        )
    return {r["prefix"]: (r["path"] or None) for r in rows if r["version"] == chosen}


@functools.cache
def _english_paths(name: str) -> dict[str, str]:
    """Path → its English name (``path_en``) in basket ``name``; one path has one English name."""
    result = parsed("baskets")
    out: dict[str, str] = {}
    for i, r in enumerate(result.table.to_pylist()):
        if r["basket"] != name or not r["path"] or not r["path_en"]:
            continue
        if out.setdefault(r["path"], r["path_en"]) != r["path_en"]:
            raise ReferenceDataError(
                f"path {r['path']!r} has two English names: {out[r['path']]!r} and {r['path_en']!r}",
                file=result.path,
                row=result.lines[i],
                column="path_en",
            )
    return out


def path_name(basket: str, path: str, lang: str = "es") -> str:
    """``path`` of ``basket`` (``name`` or ``name@version``) in ``lang``: the ``path_en`` column in English,
    the path itself in Spanish or when the row has no English name."""
    if lang == "es":
        return path
    return _english_paths(basket.partition("@")[0]).get(path, path)


@functools.cache
def _product_group_index() -> dict[str, str | None]:
    table = load("product_groups")
    return dict(zip(table.column("prefix").to_pylist(), table.column("group").to_pylist(), strict=True))


def normalize_codes(codes: Codes) -> pa.Array:
    """Codes as a string array: integers zero-padded to 10 digits, whitespace and dots removed."""
    if isinstance(codes, pa.ChunkedArray):
        arr: pa.Array = codes.combine_chunks()
    elif isinstance(codes, pa.Array):
        arr = codes
    else:
        arr = pa.array(list(codes), type=pa.string())
    if pa.types.is_integer(arr.type):
        return pc.utf8_lpad(pc.cast(arr, pa.string()), width=10, padding="0")
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise ReferenceDataError(f"product codes must be strings or integers, got Arrow type {arr.type}")
    arr = pc.utf8_trim_whitespace(arr)
    return pc.cast(pc.replace_substring(arr, ".", ""), pa.string())


def _lookup(index: dict[str, str | None], code: str) -> str | None:
    """Value of the longest prefix of ``code`` in ``index`` (None = excluded or no prefix matches)."""
    for n in range(min(len(code), 10), 1, -1):
        prefix = code[:n]
        if prefix in index:
            return index[prefix]
    return None


def _apply(index: dict[str, str | None], codes: Codes) -> pa.Array:
    arr = normalize_codes(codes)
    encoded = pc.dictionary_encode(arr)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    uniques = encoded.dictionary.to_pylist()
    resolved = pa.array([_lookup(index, u) for u in uniques], type=pa.string())
    return resolved.take(encoded.indices)


def classify(codes: Codes, basket: str) -> pa.Array:
    """Path of each code in ``basket`` by longest prefix (None when the code is not in the basket or null).

    ``basket`` is a basket name (its latest version) or ``name@version``.
    """
    return _apply(_basket_index(basket), codes)


def product_group(codes: Codes) -> pa.Array:
    """Key of the product group (``product_groups.csv``) of each code by longest prefix, None when in none."""
    return _apply(_product_group_index(), codes)
