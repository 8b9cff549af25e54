"""Dashboard pages (server-rendered Jinja2, Spanish by default, ``?lang=en``) and the explorer's JSON view.

Pages: overview of the latest month, regional explorer (map, table, series, filters), region profile, sector
profile, customs offices, downloads. Each page works without JavaScript (filters are a GET form); the small
script in ``static/app.js`` only swaps the table and SVGs in place from ``/explorer/view.json``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from comercio.api.params import BASKET_PATH_RE, MONTH_RE, Dimension, Flow, Lang, WindowKind, build_spec
from comercio.api.routes import json_response, service
from comercio.api.service import IndicatorService, Result
from comercio.errors import ComercioError, DataNotAvailable
from comercio.indicators.specs import Comparison, Filters, Grouping, Spec, Window
from comercio.reports.fmt import Formatter
from comercio.web import TEMPLATES_DIR, downloads, views
from comercio.web.i18n import strings

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
EXPLORER_GROUPINGS = ("department", "macroregion", "region_group", "natural_region")
LangQ = Annotated[Lang, Query()]


def page(request: Request, template: str, lang: Lang, **context: Any) -> HTMLResponse:
    other = "en" if lang is Lang.es else "es"
    params = dict(request.query_params)
    params["lang"] = other
    return templates.TemplateResponse(
        request,
        template,
        {
            "t": strings(lang.value),
            "lang": lang.value,
            "switch_url": f"{request.url.path}?{urlencode(params)}",
            "q": f"lang={lang.value}",
            **context,
        },
    )


def _table(result: Result, lang: str) -> list[dict[str, str]]:
    fmt = Formatter(lang)
    return [views.fmt_row(r, fmt) for r in result.rows(lang)]


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, lang: LangQ = Lang.es, svc: IndicatorService = Depends(service)) -> Response:
    t = strings(lang.value)
    try:
        end = svc.latest_month()
        month = svc.indicator(Spec(Window.month(end), Grouping("national")))
        ytd = svc.indicator(Spec(Window.ytd(end), Grouping("department")))
    except ComercioError as exc:
        return page(request, "message.html", lang, heading=t["overview"], message=exc.message)
    fmt = Formatter(lang.value)
    w = ytd.spec.window
    kpis = [
        {
            "label": f"{t['month_value']} ({fmt.period(w.end, w.end)})",
            "value": fmt.money(month.total()["value"]),
            "growth": fmt.pct(month.total()["growth"], signed=True),
        },
        {
            "label": f"{t['ytd_value']} ({fmt.period(w.start, w.end)})",
            "value": fmt.money(ytd.total()["value"]),
            "growth": fmt.pct(ytd.total()["growth"], signed=True),
        },
    ]
    spec = ytd.spec
    return page(
        request,
        "overview.html",
        lang,
        kpis=kpis,
        end=end,
        rows=_table(ytd, lang.value)[:10],
        map=views.map_figure(svc, spec, "growth", lang.value),
        bars=views.bars_figure(svc, ytd, lang.value),
        result=ytd,
    )


def explorer_spec(
    end: Annotated[str | None, Query(pattern=MONTH_RE)] = None,
    window: WindowKind = WindowKind.ytd,
    flow: Flow = Flow.X,
    grouping: Dimension = Dimension.department,
    basket_path: Annotated[str | None, Query(pattern=BASKET_PATH_RE)] = None,
    svc: IndicatorService = Depends(service),
) -> Spec:
    if grouping.value not in EXPLORER_GROUPINGS:
        raise DataNotAvailable(
            f"the explorer groups by {', '.join(EXPLORER_GROUPINGS)}, not {grouping.value!r}",
            field="grouping",
        )
    if window is WindowKind.range:
        window = WindowKind.ytd
    end = end or svc.latest_month()
    if window is WindowKind.year and not end.endswith("-12"):
        end = f"{int(end[:4]) - 1}-12"
    return build_spec(window=window, end=end, grouping=grouping, flow=flow, basket_path=basket_path)


def explorer_view(svc: IndicatorService, spec: Spec, metric: views.Metric, lang: str) -> dict[str, Any]:
    """Everything the explorer shows for a spec: table rows, map, series, links (also served as JSON)."""
    result = svc.indicator(spec)
    params = downloads.query(spec, lang)
    fig = views.map_figure(svc, spec, metric, lang)
    series = views.series_figure(svc, spec, lang)
    fmt = Formatter(lang)
    w = spec.window
    return {
        "rows": _table(result, lang),
        "period": fmt.period(w.start, w.end),
        "total": fmt.money(result.total()["value"]),
        "total_growth": fmt.pct(result.total()["growth"], signed=True),
        "map": None if fig is None else fig.as_dict(),
        "series": series.as_dict(),
        "dataset": result.dataset,
        "vintages": list(result.vintages),
        "links": {
            "csv": f"/explorer/download.csv?{params}",
            "xlsx": f"/explorer/download.xlsx?{params}",
            "pdf": f"/explorer/download.pdf?{params}&metric={metric}",
            "api": f"/api/v1/indicators?{params}",
            "api_csv": f"/api/v1/indicators?{params}&format=csv",
        },
    }


Metric = Annotated[views.Metric, Query(description="Map colour: value, growth or share")]


@router.get("/explorer", response_class=HTMLResponse)
def explorer(
    request: Request,
    spec: Spec = Depends(explorer_spec),
    metric: Metric = "value",
    lang: LangQ = Lang.es,
    svc: IndicatorService = Depends(service),
) -> Response:
    t = strings(lang.value)
    form = {
        "end": f"{spec.window.end.year:04d}-{spec.window.end.month:02d}",
        "window": spec.window.kind,
        "flow": spec.filters.flow,
        "grouping": spec.grouping.dimension,
        "metric": metric,
    }
    options = {
        "window": ["month", "ytd", "rolling12", "year"],
        "flow": ["X", "M"],
        "grouping": list(EXPLORER_GROUPINGS),
        "metric": ["value", "growth", "share"],
    }
    try:
        view: dict[str, Any] | None = explorer_view(svc, spec, metric, lang.value)
        error = None
    except ComercioError as exc:
        view, error = None, exc.message
    return page(
        request,
        "explorer.html",
        lang,
        form=form,
        options=options,
        view=view,
        error=error,
        heading=t["explorer"],
    )


@router.get("/explorer/view.json")
def explorer_json(
    spec: Spec = Depends(explorer_spec),
    metric: Metric = "value",
    lang: LangQ = Lang.es,
    svc: IndicatorService = Depends(service),
) -> Response:
    return json_response(explorer_view(svc, spec, metric, lang.value))


@router.get("/explorer/download.{kind}")
def explorer_download(
    kind: Annotated[str, Path(pattern=r"^(csv|xlsx|pdf)$")],
    spec: Spec = Depends(explorer_spec),
    metric: Metric = "value",
    lang: LangQ = Lang.es,
    svc: IndicatorService = Depends(service),
) -> Response:
    result = svc.indicator(spec)
    fig = views.map_figure(svc, spec, metric, lang.value) if kind == "pdf" else None
    return downloads.respond(kind, result, lang.value, fig)


@router.get("/region/{ubigeo}", response_class=HTMLResponse)
def region(
    request: Request,
    ubigeo: Annotated[str, Path(pattern=r"^\d{2}$")],
    lang: LangQ = Lang.es,
    svc: IndicatorService = Depends(service),
) -> Response:
    t = strings(lang.value)
    name = views.member_name(ubigeo, lang.value)
    if name is None:
        raise DataNotAvailable(f"no department with ubigeo {ubigeo!r}", field="ubigeo")
    try:
        end = svc.latest_month()
        years = views.yearly(svc, ubigeo, lang.value)
        spec = Spec(Window.ytd(end), Grouping("department"), Filters(departments=(ubigeo,)))
        series = views.series_figure(svc, spec, lang.value, member=ubigeo)
        shares = views.share_figure(svc, years, name, lang.value)
    except ComercioError as exc:
        return page(request, "message.html", lang, heading=f"{t['region']}: {name}", message=exc.message)
    fmt = Formatter(lang.value)
    rows = [{"year": y["year"], **views.fmt_row(y, fmt)} for y in reversed(years)]
    return page(request, "region.html", lang, name=name, rows=rows, series=series, shares=shares)


@router.get("/sector", response_class=HTMLResponse)
def sector(
    request: Request,
    path: Annotated[str | None, Query(pattern=BASKET_PATH_RE)] = None,
    flow: Flow = Flow.X,
    lang: LangQ = Lang.es,
    svc: IndicatorService = Depends(service),
) -> Response:
    t = strings(lang.value)
    try:
        end = svc.latest_month(flow.value, "sunat_cuadros")
        level = 1 if path is None else path.count(" > ") + 2
        spec = Spec(
            Window.ytd(end),
            Grouping("sector", level=level),
            Filters(flow=flow.value, basket_path=path),
            Comparison(),
            dataset="sunat_cuadros",
        )
        result = svc.indicator(spec)
    except ComercioError as exc:
        return page(request, "message.html", lang, heading=t["sector"], message=exc.message)
    return page(
        request,
        "sector.html",
        lang,
        path=path,
        flow=flow.value,
        rows=_table(result, lang.value),
        bars=views.bars_figure(svc, result, lang.value),
        result=result,
        period=Formatter(lang.value).period(spec.window.start, spec.window.end),
        drill=path is None or path.count(" > ") < 2,
    )


@router.get("/customs", response_class=HTMLResponse)
def customs(
    request: Request, flow: Flow = Flow.M, lang: LangQ = Lang.es, svc: IndicatorService = Depends(service)
) -> Response:
    t = strings(lang.value)
    try:
        end = svc.latest_month(flow.value, "customs_lines")
        spec = Spec(
            Window.month(end), Grouping("customs_office"), Filters(flow=flow.value), None, "customs_lines"
        )
        result = svc.indicator(spec)
    except ComercioError as exc:
        message = f"{t['needs']} {t['customs_needs']}. {exc.message}"
        return page(request, "message.html", lang, heading=t["customs"], message=message)
    w = spec.window
    return page(
        request,
        "customs.html",
        lang,
        rows=_table(result, lang.value),
        result=result,
        flow=flow.value,
        period=Formatter(lang.value).period(w.start, w.end),
    )


@router.get("/downloads", response_class=HTMLResponse)
def downloads_page(
    request: Request, lang: LangQ = Lang.es, svc: IndicatorService = Depends(service)
) -> Response:
    from comercio.api.reports import _files

    files = _files(svc.settings.reports_dir.resolve())
    try:
        spec = build_spec(window=WindowKind.ytd, end=svc.latest_month())
        params = downloads.query(spec, lang.value)
    except ComercioError:
        params = None
    return page(request, "downloads.html", lang, files=files, params=params)
