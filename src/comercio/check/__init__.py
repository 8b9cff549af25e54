"""``comercio check``: read a published text and check every figure in it against the loaded data.

A text becomes numbers (:mod:`~comercio.check.numbers`), periods (:mod:`~comercio.check.periods`) and
claims (:mod:`~comercio.check.claims`: subject, measure, window); each claim is computed through the
indicator engine and the fact catalogue (:mod:`~comercio.check.verify`) and gets a verdict; the result
(:class:`~comercio.check.model.CheckReport`) renders as Markdown, HTML, JSON and XLSX
(:mod:`~comercio.check.render`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from comercio.check.model import CheckReport, Claim, Number, Period, Skipped, Subject

if TYPE_CHECKING:
    from comercio.warehouse import Warehouse


def check_text(wh: Warehouse, text: str, **options: Any) -> CheckReport:
    """Check every figure of ``text`` (see :func:`comercio.check.pipeline.check_text`)."""
    from comercio.check.pipeline import check_text as _check

    return _check(wh, text, **options)


__all__ = ["CheckReport", "Claim", "Number", "Period", "Skipped", "Subject", "check_text"]
