"""Tariff nomenclature helpers: which Arancel version a date falls under, and the HS6 part of a subpartida."""

from __future__ import annotations

import datetime as dt

from comercio.errors import ReferenceDataError
from comercio.reference._loader import load, parsed

__all__ = ["hs6", "tariff_version"]


def tariff_version(d: dt.date) -> str:
    """Version of the Arancel de Aduanas in force on ``d`` (``"2022"``); 2007-01-15 is still ``"2002"``."""
    day = d.date() if isinstance(d, dt.datetime) else d
    table = load("tariff_versions").sort_by("in_force_from")
    current: str | None = None
    for version, start in zip(
        table.column("version").to_pylist(), table.column("in_force_from").to_pylist(), strict=True
    ):
        if start <= day:
            current = version
    if current is None:
        raise ReferenceDataError(
            f"no tariff version in force on {day.isoformat()}; the first starts {table['in_force_from'][0]}",
            file=parsed("tariff_versions").path,
            column="in_force_from",
        )
    return current


def hs6(subpartida: str) -> str:
    """First six digits (HS subheading) of a subpartida such as ``"0901119000"`` or ``"0901.11.90.00"``."""
    code = subpartida.strip().replace(".", "")
    if not code.isdigit() or not 6 <= len(code) <= 10:
        raise ReferenceDataError(
            f"subpartida {subpartida!r} is not 6 to 10 digits",
            field="subpartida",
            hint="pass the code as text",
        )
    return code[:6]
