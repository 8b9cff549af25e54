"""What a result answers and where its figures come from: the query in words, its stable URL, the dataset,
vintages, the synthetic flag, incomplete periods and notes (the XLSX "Consulta" sheet and the JSON header)."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import get_month_names

from comercio import __version__
from comercio.errors import ComercioError
from comercio.i18n import has, t
from comercio.query.model import Query, QueryResult

URL_PATH = "/consultas"


def url(query: Query) -> str:
    """The stable address (path and query string) that reproduces ``query`` on the dashboard."""
    return f"{URL_PATH}?{query.query_string()}"


def dimension_name(dim: str, lang: str) -> str:
    """A breakdown's name as the reference dimensions say it (``department`` → ``Departamento``)."""
    from comercio.reference import dimensions

    try:
        return dimensions.dimension(dim).label(lang)
    except ComercioError:
        return dim


def member_name(dim: str, code: str, lang: str) -> str:
    """``15 (Lima)``: the code and, where the reference tables know it, the member's name."""
    from comercio.reference import dimensions

    try:
        name = dimensions.label(dim, code, lang)
    except ComercioError:
        name = code
    return code if name == code else f"{code} ({name})"


def dataset_name(dataset: str, lang: str) -> str:
    key = f"common.dataset.{dataset}"
    return f"{t(key, lang)} ({dataset})" if has(key) else dataset


LOCALES = {"es": "es_PE", "en": "en"}  # Peruvian Spanish: "setiembre"


def _month(month: str, lang: str) -> str:
    """``mayo 2025`` / ``May 2025``."""
    name = str(get_month_names("wide", locale=LOCALES[lang])[int(month[5:7])])
    return f"{name.lower() if lang == 'es' else name} {month[:4]}"


def describe(
    result: QueryResult,
    *,
    wide: bool | None = None,
    n_rows: int | None = None,
    asked_at: datetime | None = None,
) -> list[tuple[str, str]]:
    """Every parameter of the query and every fact of provenance as (label, text) pairs, in reading order
    (``wide``: the form of the download, when it differs from the query's; ``n_rows``: its data rows)."""
    q, lang = result.query, result.query.lang

    def a(key: str, **values: object) -> str:
        return t(f"query.about.{key}", lang, **values)

    rows = [
        (a("flow"), t(f"query.flow.{q.flow}", lang)),
        (a("period"), a("period_value", start=_month(q.start, lang), end=_month(q.end, lang))),
        (a("freq"), t(f"query.freq.{q.freq}", lang)),
        (a("by"), ", ".join(dimension_name(d, lang) for d in q.by) or a("by_none")),
    ]
    if q.where:
        for dim, codes in q.where:
            rows.append(
                (
                    a("where", dim=dimension_name(dim, lang)),
                    ", ".join(member_name(dim, c, lang) for c in codes),
                )
            )
    else:
        rows.append((a("where_none"), a("none")))
    rows.append((a("measures"), ", ".join(t(f"query.measure.{m}", lang) for m in q.measures)))
    if any(m in q.measures for m in ("growth", "contribution")):
        compare = (
            a("compare_base", year=q.base_year)
            if q.base_year is not None
            else a("compare_years", years=q.compare_years)
        )
        rows.append((a("compare"), compare))
    rows += [
        (a("form"), a("form_wide") if (q.wide if wide is None else wide) else a("form_long")),
        (a("language"), lang),
        (a("url"), url(q)),
        (a("dataset"), dataset_name(result.dataset, lang)),
        *_vintages(result, a("vintages"), a("none")),
        (a("synthetic"), a("synthetic_yes") if result.synthetic else a("synthetic_no")),
        (a("partial"), ", ".join(result.partial) or a("none")),
        (a("rows"), str(len(result.rows) if n_rows is None else n_rows)),
    ]
    if result.truncated:
        rows.append((a("truncated"), a("truncated_yes")))
    rows += [(a("notes"), note) for note in result.notes]
    when = (asked_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S")
    rows += [(a("version"), __version__), (a("asked_at"), when)]
    return rows


def params(query: Query) -> dict[str, object]:
    """The query's parameters as JSON: one value each, ``where`` a list of ``DIM=CODE[,CODE…]``."""
    out: dict[str, object] = {}
    where: list[str] = []
    for key, value in query.to_params():
        if key == "where":
            where.append(value)
        else:
            out[key] = value
    if where:
        out["where"] = where
    return out


def _vintages(result: QueryResult, label: str, none: str) -> list[tuple[str, str]]:
    """One row per vintage (a weekly-file dataset has hundreds: a single cell would pass Excel's 32 767
    characters), the label on the first."""
    if not result.vintages:
        return [(label, none)]
    return [(label if i == 0 else "", v) for i, v in enumerate(result.vintages)]


def header(result: QueryResult, *, asked_at: datetime | None = None) -> dict[str, object]:
    """The JSON header: the query's parameters, its URL and the provenance of the figures."""
    when = asked_at or datetime.now(UTC)
    return {
        "query": params(result.query),
        "url": url(result.query),
        "dataset": result.dataset,
        "vintages": list(result.vintages),
        "synthetic": result.synthetic,
        "periods": list(result.periods),
        "partial": list(result.partial),
        "coverage": {k: list(v) for k, v in (result.extra.get("coverage") or {}).items()},
        "truncated": result.truncated,
        "notes": list(result.notes),
        "comercio_version": __version__,
        "asked_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
