"""Dashboard note on attribution coverage: where customs lines answer a view of export departments, the
share of the window's value placed in a department, by basis, and the comparison window's when it was
attributed on another basis (decision 0017, point 6; the regional report's rule, in one sentence).

Official tables are never annotated. Words come from the message catalogue (``regional.web.*``).
"""

from __future__ import annotations

from comercio.i18n import t
from comercio.indicators import coverage as cov
from comercio.indicators import maturity
from comercio.indicators.specs import Spec
from comercio.reports.fmt import Formatter
from comercio.reports.regional_quality import apart, basis_name, basis_names, joined
from comercio.service import IndicatorService

DEPARTMENTAL = frozenset({"department", "region_group", "macroregion", "natural_region"})


def coverage_note(svc: IndicatorService, spec: Spec, dataset: str | None, lang: str) -> str:
    """The coverage sentence of an export view by department answered by customs lines (else ``""``)."""
    if dataset != maturity.DATASET or spec.filters.flow != "X" or spec.grouping.dimension not in DEPARTMENTAL:
        return ""
    by_month = svc.run(("coverage", dataset), lambda: cov.coverage(svc.wh, dataset, "X"))
    w, fmt = spec.window, Formatter(lang)
    now = cov.window(by_month, w.start, w.end)
    if now.share is None:
        return ""
    placed = [(b, v) for b, v in now.shares().items() if b != cov.UNATTRIBUTED and v > 0]
    bases = (
        basis_name(placed[0][0], lang)
        if len(placed) == 1
        else "; ".join(f"{basis_name(b, lang)}, {fmt.pct(v)}" for b, v in placed)
    )
    span = fmt.period(w.start, w.end)
    text = t("regional.web.coverage", lang, share=fmt.pct(now.share), span=span, bases=bases or "—")
    if spec.comparison is None:
        return text
    pw = w.shifted(-spec.comparison.years)
    before = cov.window(by_month, pw.start, pw.end)
    if before.share is None or not apart(now.shares(), before.shares()):
        return text
    names = joined(basis_names(before.shares(), lang), lang)
    return " ".join(
        (
            text,
            t(
                "regional.web.coverage_apart",
                lang,
                span=fmt.period(pw.start, pw.end),
                share=fmt.pct(before.share),
                bases=names or "—",
            ),
        )
    )
