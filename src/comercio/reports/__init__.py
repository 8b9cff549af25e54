"""Reports: one formatter, charts and maps, the writers (HTML, PDF, XLSX, Markdown, JSON) of every report,
and reports declared as data (:mod:`.spec`) rendered by one :func:`render`.

The public names are the imports below (``__all__``); each loads its module on first use, so importing the
package does not import Altair or WeasyPrint. Private ``_modules`` and module internals may change freely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comercio._lazy import facade

if TYPE_CHECKING:
    from comercio.reports._render import render as render
    from comercio.reports.fmt import Formatter as Formatter
    from comercio.reports.regional import build_regional as build_regional
    from comercio.reports.regional import write_regional as write_regional
    from comercio.reports.sector import build_sector_report as build_sector_report
    from comercio.reports.sector import write_sector as write_sector
    from comercio.reports.spec import ColumnSpec as ColumnSpec
    from comercio.reports.spec import Cover as Cover
    from comercio.reports.spec import RenderContext as RenderContext
    from comercio.reports.spec import ReportSpec as ReportSpec
    from comercio.reports.spec import SectionSpec as SectionSpec
    from comercio.reports.spec import TableSpec as TableSpec
    from comercio.reports.spec import need as need
    from comercio.reports.spec import text as text
    from comercio.reports.writers import Column as Column
    from comercio.reports.writers import Figure as Figure
    from comercio.reports.writers import Report as Report
    from comercio.reports.writers import Section as Section
    from comercio.reports.writers import Table as Table
    from comercio.reports.writers import write_report as write_report
    from comercio.reports.writers._renderer import start_renderer as start_renderer

__getattr__, __dir__, __all__ = facade(__name__, __file__)
