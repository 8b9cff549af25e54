"""Reports: one formatter, charts and maps, and the writers (HTML, PDF, XLSX, Markdown, JSON) of every report.

The public names are listed in ``__all__``; each loads its module on first use (Altair and WeasyPrint are
not imported until something is rendered). Private ``_modules`` and module internals may change freely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comercio._lazy import attach

if TYPE_CHECKING:
    from comercio.reports.fmt import Formatter
    from comercio.reports.regional import build_regional, write_regional
    from comercio.reports.sector import build_sector_report, write_sector
    from comercio.reports.writers import Column, Figure, Report, Section, Table, write_report

__getattr__, __dir__ = attach(
    __name__,
    {
        "fmt": ("Formatter",),
        "regional": ("build_regional", "write_regional"),
        "sector": ("build_sector_report", "write_sector"),
        "writers": ("Column", "Figure", "Report", "Section", "Table", "write_report"),
    },
)

__all__ = [
    "Column",
    "Figure",
    "Formatter",
    "Report",
    "Section",
    "Table",
    "build_regional",
    "build_sector_report",
    "write_regional",
    "write_report",
    "write_sector",
]
