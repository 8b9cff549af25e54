"""Dashboard marks of preliminary months: customs-line months not yet complete at the archive's cut-off.

A month is marked only where customs lines answer (the dataset :mod:`comercio.indicators.maturity` reads);
official tables are never marked. Labels come from the message catalogue (``regional.maturity.*``).
"""

from __future__ import annotations

from collections.abc import Sequence

from comercio.errors import ComercioError
from comercio.i18n import t
from comercio.indicators import maturity
from comercio.indicators.specs import Filters, Grouping, month_start
from comercio.reports.fmt import Formatter
from comercio.reports.regional_quality import joined
from comercio.service import IndicatorService


def preliminary_months(svc: IndicatorService, flow: str = "X") -> set[str]:
    """The preliminary months (``YYYY-MM``) of ``flow`` in the customs lines (empty when not loaded)."""
    months = svc.run(("preliminary", flow), lambda: maturity.preliminary_months(svc.wh, flow))
    return {f"{p.year:04d}-{p.month:02d}" for p in months}


def is_preliminary(svc: IndicatorService, month: str, dataset: str | None, flow: str = "X") -> bool:
    """Whether ``month`` answered by ``dataset`` is a preliminary month of customs lines."""
    return dataset == maturity.DATASET and month in preliminary_months(svc, flow)


def answering(
    svc: IndicatorService, grouping: str = "department", flow: str = "X", month: str | None = None
) -> str | None:
    """The dataset answering ``grouping`` for ``flow`` (the best one holding ``month`` when given; None when
    no data)."""
    try:
        holding = None if month is None else month_start(month)
        return svc.series(Grouping(grouping), Filters(flow=flow), holding=holding).dataset
    except ComercioError:
        return None


def mark(label: str, lang: str) -> str:
    """``noviembre de 2025 (preliminar)``."""
    return f"{label} ({t('regional.maturity.mark', lang)})"


def period_label(
    svc: IndicatorService,
    label: str,
    month: str,
    dataset: str | None,
    lang: str,
    start: str | None = None,
) -> str:
    """A period's label with its preliminary months named when the last is one: ``… (noviembre
    preliminar)``, ``… (octubre y noviembre preliminares)`` (the months from ``start``, else the last)."""
    if not is_preliminary(svc, month, dataset):
        return label
    fmt = Formatter(lang)
    young = sorted(m for m in preliminary_months(svc) if (start or month) <= m <= month)
    names = [fmt.month(int(m[5:7])) for m in young]
    key = "regional.maturity.label_many" if len(names) > 1 else "regional.maturity.label"
    return f"{label} ({t(key, lang, month=joined(names, lang))})"


def month_choices(
    svc: IndicatorService,
    choices: Sequence[tuple[str, str]],
    lang: str,
    flow: str = "X",
    grouping: str = "national",
) -> list[tuple[str, str]]:
    """A month picker's (value, label) choices with the preliminary months marked (a month is marked when
    customs lines answer it)."""
    young = preliminary_months(svc, flow)
    return [
        (
            m,
            mark(label, lang)
            if m in young and answering(svc, grouping, flow, m) == maturity.DATASET
            else label,
        )
        for m, label in choices
    ]


def newer_month(svc: IndicatorService, end: str | None, lang: str) -> dict[str, str] | None:
    """When the page shows the latest mature month (no ``end`` asked) and customs lines hold a later,
    preliminary one: the sentence, the later month's marked name and the link that shows it."""
    if end is not None:
        return None
    mature = svc.latest_month(grouping="department")
    newest = svc.latest_month(grouping="department", mature=False)
    if newest <= mature:
        return None
    name = Formatter(lang).period(month_start(newest), month_start(newest))
    return {
        "text": t("regional.maturity.newer", lang),
        "label": mark(name, lang),
        "href": f"?end={newest}&lang={lang}",
    }
