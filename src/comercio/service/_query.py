"""The query vocabulary both front ends accept, and its translation into a frozen indicator :class:`Spec`.

The enums and patterns here carry no HTTP: the API wraps them in FastAPI ``Query`` parameters and the
dashboard in its form. Groupings come from :data:`comercio.reference.dimensions.DIMENSIONS` (``api=True``),
so a new dimension needs no change here. Error texts come from the message catalogue (``api.query.*``).
"""

from __future__ import annotations

from enum import StrEnum

from comercio.errors import ConfigError
from comercio.i18n import LANGS, t
from comercio.indicators.specs import Comparison, Filters, Grouping, Spec, Window
from comercio.reference.dimensions import DIMENSIONS, dimension
from comercio.warehouse import schema

MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
BASKET_PATH_RE = r"^[^\x00-\x1f<]{1,200}$"
"""A basket path: levels joined by " > " (so ``>`` is allowed); no control characters and no ``<``."""
MAX_WINDOW_MONTHS = 240


class WindowKind(StrEnum):
    month = "month"
    ytd = "ytd"
    rolling12 = "rolling12"
    year = "year"
    range = "range"


class Flow(StrEnum):
    X = "X"
    M = "M"


Lang = StrEnum("Lang", {code: code for code in LANGS})  # type: ignore[misc]
"""The languages of labels and messages (``es``, ``en``)."""

Dimension = StrEnum("Dimension", {d.name: d.name for d in DIMENSIONS if d.api})  # type: ignore[misc]
"""The groupings the API accepts, from the dimension registry."""


def build_spec(
    *,
    window: WindowKind,
    end: str,
    start: str | None = None,
    comparison_years: int = 1,
    grouping: str = "department",
    scheme: str | None = None,
    level: int | None = None,
    flow: Flow = Flow.X,
    basket: str | None = None,
    basket_path: str | None = None,
    departments: tuple[str, ...] = (),
    dataset: str | None = None,
    lang: str = "en",
) -> Spec:
    """Validated parameters → indicator spec; :class:`ConfigError` (in ``lang``) on inconsistent ones."""
    for code in departments:
        if len(code) != 2 or not code.isdigit():
            raise ConfigError(t("api.query.department", lang, code=repr(code)), field="department")
    if window is WindowKind.range:
        if start is None:
            raise ConfigError(t("api.query.range_needs_start", lang), field="start")
        w = Window.range(start, end)
    elif start is not None:
        raise ConfigError(t("api.query.start_only_range", lang), field="start")
    elif window is WindowKind.year:
        if not end.endswith("-12"):
            raise ConfigError(t("api.query.year_needs_december", lang), field="end")
        w = Window.year(int(end[:4]))
    else:
        w = {"month": Window.month, "ytd": Window.ytd, "rolling12": Window.rolling12}[window.value](end)
    try:
        w.start  # noqa: B018 (a window reaching before year 1 fails here)
    except (ValueError, ConfigError):
        raise ConfigError(t("api.query.before_year_one", lang), field="end") from None
    if w.n_months > MAX_WINDOW_MONTHS:
        raise ConfigError(t("api.query.window_too_long", lang, months=MAX_WINDOW_MONTHS), field="start")
    if comparison_years > 0 and w.start.year - comparison_years < 1:
        raise ConfigError(t("api.query.comparison_before_year_one", lang), field="comparison_years")
    _applicable(str(grouping), scheme, level, basket, basket_path, dataset, lang)
    return Spec(
        window=w,
        grouping=Grouping(str(grouping), scheme, level),
        filters=Filters(
            flow=flow.value, basket=basket, basket_path=basket_path, departments=tuple(sorted(departments))
        ),
        comparison=Comparison(comparison_years) if comparison_years > 0 else None,
        dataset=dataset,
    )


def _applicable(
    grouping: str,
    scheme: str | None,
    level: int | None,
    basket: str | None,
    basket_path: str | None,
    dataset: str | None,
    lang: str,
) -> None:
    """Refuse a parameter the grouping or filters would silently ignore (:class:`ConfigError` naming it)."""
    derive = dimension(grouping).derive
    if scheme is not None and derive not in ("macroregion", "continent"):
        raise ConfigError(t("api.query.scheme_not_applicable", lang, grouping=grouping), field="scheme")
    if level is not None and derive != "sector":
        raise ConfigError(t("api.query.level_not_applicable", lang, grouping=grouping), field="level")
    spec = schema.DATASETS.get(dataset or "")
    tree = spec is not None and spec.tree
    if basket_path is not None and basket is None and derive != "sector" and not tree:
        raise ConfigError(t("api.query.basket_path_not_applicable", lang), field="basket_path")
