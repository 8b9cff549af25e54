"""The application service between the warehouse/indicators and the two front ends (API and dashboard).

Both front ends ask it the same questions: an indicator result for a validated spec (facts, then rows
labelled in the language asked for), monthly series, the latest month, dataset status, map boundaries, the
regional report's facts (the home headline), the report files and the check of a text's figures. Queries
are bounded in rows and time and cached by spec; nothing here speaks HTTP or HTML.
"""

from __future__ import annotations

from comercio.service._cache import LRU
from comercio.service._query import (
    BASKET_PATH_RE,
    MONTH_RE,
    Dimension,
    Flow,
    Lang,
    WindowKind,
    build_spec,
)
from comercio.service._results import (
    COLUMNS,
    ROW_FAMILIES,
    ROW_FIELDS,
    TOTAL_FAMILIES,
    Result,
    build_facts,
    csv_text,
    plain,
    units,
)
from comercio.service._service import MAX_CHECK_CHARS, REPORT_SUFFIXES, IndicatorService, report_files

__all__ = [
    "BASKET_PATH_RE",
    "COLUMNS",
    "LRU",
    "MAX_CHECK_CHARS",
    "MONTH_RE",
    "REPORT_SUFFIXES",
    "ROW_FAMILIES",
    "ROW_FIELDS",
    "TOTAL_FAMILIES",
    "Dimension",
    "Flow",
    "IndicatorService",
    "Lang",
    "Result",
    "WindowKind",
    "build_facts",
    "build_spec",
    "csv_text",
    "plain",
    "report_files",
    "units",
]
