"""Hand-made customs lines of the metalworking basket, both flows, January 2023 to November 2024 (a lines-only
warehouse), with every expected figure written out. Shared by the indicator, report and dashboard tests of
the sector study from lines (loaded by path there: ``load_module()``)."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa

from comercio.config import Settings
from comercio.warehouse import FileRef, Provenance, Warehouse, schema

FIRST, LAST = date(2023, 1, 1), date(2024, 11, 1)
UNIT = 1e5  # every value below is in units of US$ 100 000 (so the dashboard's millions show them)
MACHINERY = "Metalmecánica > Maquinaria y equipo de transporte (≈ CUCI 7)"
METAL = "Metalmecánica > Manufacturas de metales comunes (≈ CUCI 69)"
INSTRUMENTS = "Metalmecánica > Instrumentos (HS 90)"

# (flow, product, partner, value in 2023 per month, value in 2024 per month, masked trader)
LINES = [
    ("M", "8474200000", "CN", 100.0, 120.0, False),  # machinery (HS 84)
    ("M", "7308900000", "US", 50.0, 50.0, True),  # metal structures (HS 73), a masked importer
    ("M", "9018900000", "DE", 0.0, 30.0, False),  # instruments (HS 90), 2024 only
    ("M", "0901119000", "CL", 1000.0, 1000.0, False),  # coffee: outside the basket, every month
    ("X", "8474200000", "CL", 40.0, 50.0, False),
    ("X", "7308900000", "BO", 0.0, 10.0, True),
    ("X", "2603000000", "CN", 5000.0, 5000.0, False),  # copper: outside the basket
]

# Expected: 2023 is a full year; 2024 is January–November (year to date against January–November 2023).
IMPORTS_2023 = 12 * 150.0 * UNIT
IMPORTS_YTD, IMPORTS_PREV = 11 * 200.0 * UNIT, 11 * 150.0 * UNIT
EXPORTS_2023 = 12 * 40.0 * UNIT
EXPORTS_YTD, EXPORTS_PREV = 11 * 60.0 * UNIT, 11 * 40.0 * UNIT
ORIGINS = {"CN": 11 * 120.0 * UNIT, "US": 11 * 50.0 * UNIT, "DE": 11 * 30.0 * UNIT}
DESTINATIONS = {"CL": 11 * 50.0 * UNIT, "BO": 11 * 10.0 * UNIT}
IMPORT_PARTS = {MACHINERY: 11 * 120.0 * UNIT, METAL: 11 * 50.0 * UNIT, INSTRUMENTS: 11 * 30.0 * UNIT}
IMPORT_HS6 = {"847420": 11 * 120.0 * UNIT, "730890": 11 * 50.0 * UNIT, "901890": 11 * 30.0 * UNIT}


def months() -> list[date]:
    out, d = [], FIRST
    while d <= LAST:
        out.append(d)
        d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return out


def rows(flows: str = "XM") -> list[dict[str, Any]]:
    """One line per (month, line of :data:`LINES` of ``flows``) with a value that month."""
    out: list[dict[str, Any]] = []
    for m in months():
        for flow, product, partner, v2023, v2024, masked in LINES:
            value = (v2023 if m.year == 2023 else v2024) * UNIT
            if not value or flow not in flows:
                continue
            cif = flow == "M"
            out.append(
                {
                    "flow": flow,
                    "date": m,
                    "period": m,
                    "declaration": f"{m:%Y%m}{len(out):05d}",
                    "series": 1,
                    "customs_office": "118",
                    "department": "15",
                    "region_basis": "producer_ubigeo",
                    "partner": partner,
                    "product": product,
                    "hs6": product[:6],
                    "hs_version": "2022",
                    "trader_id": None if masked else f"20{len(out):09d}",
                    "trader_masked": masked,
                    "value_usd": value,
                    "value_basis": "CIF" if cif else "FOB",
                    "fob_usd": value * 0.9 if cif else value,
                    "cif_usd": value if cif else None,
                    "acquisition_country": partner if cif else None,
                    "file_date": m,
                    "synthetic": True,
                    "source": "hand-made",
                }
            )
    return out


def build(home: Path, flows: str = "XM") -> Warehouse:
    """A warehouse at ``home`` holding only these lines of ``flows`` (labelled synthetic)."""
    wh = Warehouse(Settings(home=home))
    spec = schema.CUSTOMS_LINES
    table = pa.Table.from_pylist(
        [{c: r.get(c) for c in spec.columns} for r in rows(flows)], schema=spec.schema
    )
    prov = Provenance("test", (FileRef("hand.csv", "c" * 64),), "test/1", synthetic=True)
    wh.load("customs_lines", "all", table, prov)
    return wh


def load_module() -> ModuleType:
    """This module, for tests in other folders (imported by path: test folders are not packages)."""
    spec = importlib.util.spec_from_file_location("_sector_lines_data", __file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
