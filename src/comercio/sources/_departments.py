"""Resolve a publisher's department label to its 2-digit INEI ubigeo.

Publishers spell departments their own way: BCRP writes ``Madre De Dios`` and ``No Registrado``, PROMPERÚ
Infotrade writes ``Lima Metropolitana`` and ``Callao``, SUNAT and INEI write ``MADRE DE DIOS`` or ``Áncash``.
Every reader asks this one function, so a label means the same department everywhere, and the code list itself
lives in the reference table ``departments`` (:mod:`comercio.reference`), not here.

Matching ignores accents, case, punctuation and repeated spaces. Besides the names in the reference table a
few publisher *aliases* are accepted (Infotrade splits Lima into Lima Metropolitana / Lima Provincias; BCRP's
"No registrado" is ubigeo ``99``, the unattributed bucket).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from comercio.errors import ComercioError, ReferenceDataError

# Columns of the reference table whose values are accepted as labels of a department.
_LABEL_COLUMNS = ("name", "key", "geo_name", "bcrp_name", "name_en", "infotrade_name", "sunat_name")

# Publisher aliases that are not department names proper: they name a part of a department (Infotrade splits
# Lima) or the "not registered" bucket. Used only when the reference table does not know the label itself.
_ALIASES: dict[str, str] = {
    "lima metropolitana": "15",
    "lima provincias": "15",
    "lima region": "15",
    "provincia constitucional del callao": "07",
    "no registrado": "99",
    "no registrada": "99",
    "sin registro": "99",
}


def normalize_label(label: str) -> str:
    """Lower-case, accent-free, single-spaced form of ``label`` used as the matching key."""
    decomposed = unicodedata.normalize("NFKD", label)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.sub(r"[^0-9a-z]+", " ", ascii_only.lower())
    return " ".join(words.split())


def _reference_loader() -> Any | None:
    """The reference loader ``comercio.reference.load`` if that module provides one, else None."""
    try:
        from comercio import reference
    except ImportError:  # pragma: no cover - the package always has the subpackage
        return None
    return getattr(reference, "load", None)


@lru_cache(maxsize=1)
def _label_map() -> dict[str, str]:
    """Normalized label -> ubigeo, built once from the reference table ``departments`` plus the aliases."""
    load = _reference_loader()
    if load is None:  # pragma: no cover - the reference layer ships with the package
        raise ReferenceDataError(
            "comercio.reference.load is not available, so department names cannot be resolved",
            field="departments",
        )
    try:
        table = load("departments")
    except ComercioError:
        raise
    except Exception as exc:  # keep an unexpected failure of the reference layer as the cause
        raise ReferenceDataError(
            f"cannot load reference table 'departments': {exc}", field="departments"
        ) from exc
    if "ubigeo" not in table.column_names:
        raise ReferenceDataError("reference table 'departments' has no column 'ubigeo'", field="ubigeo")
    columns = [c for c in _LABEL_COLUMNS if c in table.column_names]
    if not columns:
        raise ReferenceDataError(
            f"reference table 'departments' has none of the label columns {list(_LABEL_COLUMNS)}",
            field="name",
        )
    mapping: dict[str, str] = {}
    for row in table.select(["ubigeo", *columns]).to_pylist():
        ubigeo = str(row["ubigeo"]).zfill(2)
        for column in columns:
            if row[column]:
                mapping.setdefault(normalize_label(str(row[column])), ubigeo)
    for alias, ubigeo in _ALIASES.items():
        mapping.setdefault(alias, ubigeo)
    return mapping


def resolve_department(label: str) -> str | None:
    """Return the 2-digit ubigeo of a department label, or None if the label is not a known department.

    ``label`` may also be a 2-digit ubigeo already (``"07"``). Raises :class:`ReferenceDataError` only when
    the reference table cannot be loaded; an unknown label is the caller's to report (it knows file, row,
    column).
    """
    key = normalize_label(label)
    if not key:
        return None
    mapping = _label_map()
    if key.isdigit() and len(key) <= 2:
        code = key.zfill(2)
        return code if code in mapping.values() else None
    return mapping.get(key)
