"""``comercio check``: read a published text and check every figure in it against the loaded data.

A text becomes numbers (:mod:`~comercio.check.numbers`), periods (:mod:`~comercio.check.periods`) and
claims (:mod:`~comercio.check.claims`: subject, measure, window); each claim is computed through the
indicator engine and the fact catalogue (:mod:`~comercio.check.verify`) and gets a verdict; the result
(:class:`~comercio.check.model.CheckReport`) renders as Markdown, HTML, JSON and XLSX
(:mod:`~comercio.check.render`).
"""

from __future__ import annotations

from comercio.check.model import CheckReport, Claim, Number, Period, Skipped, Subject

__all__ = ["CheckReport", "Claim", "Number", "Period", "Skipped", "Subject"]
