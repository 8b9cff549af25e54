"""PDF writer: the same HTML in print layout through WeasyPrint, plus PNG previews of its pages.

The previews (``report-page-N.png``, 60 dpi, by poppler's ``pdftoppm``) are for looking at the layout; they
are written when ``pdftoppm`` is installed and skipped otherwise (the PDF itself does not need them).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from comercio.errors import ReportError
from comercio.reports.writers._model import Report
from comercio.reports.writers.html import render_html

log = logging.getLogger(__name__)


def render(report: Report, out: Path, figures: dict[str, Any]) -> tuple[Path, int]:
    """Write ``report.pdf`` into ``out``; returns its path and number of pages."""
    path = Path(out) / f"{report.stem}.pdf"
    return path, lay_out(render_html(report, figures, print_mode=True), path)


def lay_out(html: str, path: Path) -> int:
    """Write the print HTML ``html`` (its relative links resolved in ``path``'s directory) to the PDF
    ``path`` with WeasyPrint; returns the number of pages."""
    from weasyprint import HTML

    try:
        document = HTML(string=html, base_url=str(path.parent)).render()
        document.write_pdf(path)
    except Exception as exc:  # WeasyPrint raises assorted errors from its libraries
        raise ReportError(f"WeasyPrint could not write the PDF: {exc}", file=path) from exc
    return len(document.pages)


def page_previews(pdf: Path, dpi: int = 60, *, pages: int = 1) -> list[Path]:
    """Render each page of ``pdf`` (of ``pages`` pages) to ``<stem>-page-N.png`` next to it (needs
    poppler-utils)."""
    return start_previews(pdf, dpi, pages=pages)()


def start_previews(pdf: Path, dpi: int = 60, *, pages: int = 1) -> Callable[[], list[Path]]:
    """Start :func:`page_previews` in the background (``pdftoppm`` is its own process, so the other formats
    are written meanwhile); call the result to wait for the page files. A PDF of several ``pages`` is
    drawn by two processes, the odd pages and the even ones (the same files, on both cores)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        log.warning("pdftoppm not found: no page previews for %s (apt-get install poppler-utils)", pdf)
        return list
    for old in pdf.parent.glob(f"{pdf.stem}-page-*.png"):
        old.unlink()
    prefix = pdf.parent / f"{pdf.stem}-page"
    argv = [exe, "-png", "-r", str(dpi), str(pdf), str(prefix)]
    halves = [["-o"], ["-e"]] if pages > 1 else [[]]
    procs = [
        subprocess.Popen([*argv[:1], *half, *argv[1:]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for half in halves
    ]

    def finish() -> list[Path]:
        errors = [proc.communicate()[1] for proc in procs]  # both waited for, whichever fails
        for proc, err in zip(procs, errors, strict=True):
            if proc.returncode != 0:
                raise ReportError(f"pdftoppm failed: {err.decode(errors='replace')}", file=pdf)
        pages = []
        for p in pdf.parent.glob(f"{pdf.stem}-page-*.png"):  # pdftoppm pads numbers (-01, -001): normalise
            n = int(p.stem.rsplit("-", 1)[1])
            target = pdf.parent / f"{pdf.stem}-page-{n}.png"
            if p != target:
                p.rename(target)
            pages.append(target)
        return sorted(pages, key=lambda p: int(p.stem.rsplit("-", 1)[1]))

    return finish
