"""Dashboard pages (server-rendered Jinja2, Spanish by default, ``?lang=en``) and the explorer's JSON view.

Pages: overview of the latest month, regional explorer (map, table, series, filters), region profile, sector
profile, customs offices, downloads. Each page works without JavaScript (filters are a GET form); the small
script in ``static/app.js`` only swaps the table and SVGs in place from ``/explorer/view.json``. Every number
comes from the application service; groupings from the dimension registry.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from comercio.errors import ComercioError, DataNotAvailable
from comercio.i18n import section, t
from comercio.indicators.specs import Comparison, Filters, Grouping, Spec, Window
from comercio.reference import dimensions
from comercio.reference.labels import PATH_SEPARATOR, display_path
from comercio.reports.fmt import Formatter
from comercio.service import (
    BASKET_PATH_RE,
    MONTH_RE,
    Dimension,
    Flow,
    IndicatorService,
    Lang,
    Result,
    WindowKind,
    build_spec,
)
from comercio.web import attribution, downloads, marks, sector_lines, views
from comercio.web.headline import headline
from comercio.web.templating import flow_options, page, service, world_options

router = APIRouter(include_in_schema=False)
EXPLORER_GROUPINGS = tuple(d.name for d in dimensions.DIMENSIONS if d.explorer)
EXPLORER_WINDOWS = ("month", "ytd", "rolling12", "year")
METRICS = ("value", "growth", "share")
TOP = 10
LangQ = Annotated[Lang, Query()]
ES = Lang("es")


def _table(result: Result, lang: str) -> list[dict[str, str]]:
    fmt = Formatter(lang)
    return [views.fmt_row(r, fmt) for r in result.rows(lang)]


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    end: Annotated[str | None, Query(pattern=MONTH_RE)] = None,
    lang: LangQ = ES,
    svc: IndicatorService = Depends(service),
) -> Response:
    code = lang.value
    try:
        newer = marks.newer_month(svc, end, code)
        end = end or svc.latest_month(grouping="department")
        month = svc.indicator(Spec(Window.month(end), Grouping("national")))
        ytd = svc.indicator(Spec(Window.ytd(end), Grouping("department")))
    except ComercioError as exc:
        return page(request, "message.html", code, heading=t("web.overview", code), message=exc.message)
    fmt = Formatter(code)
    w = ytd.spec.window
    shown = fmt.period(w.end, w.end)
    if marks.is_preliminary(svc, end, ytd.dataset):
        shown = marks.mark(shown, code)
    span = marks.period_label(svc, fmt.period(w.start, w.end), end, ytd.dataset, code, f"{w.start:%Y-%m}")
    kpis = [
        {
            "label": f"{t('web.month_value', code)} ({shown})",
            "value": fmt.money(month.total()["value"]),
            "growth": fmt.figure(month.total()["growth"], "growth"),
        },
        {
            "label": f"{t('web.year_value' if w.end.month == 12 else 'web.ytd_value', code)} ({span})",
            "value": fmt.money(ytd.total()["value"]),
            "growth": fmt.figure(ytd.total()["growth"], "growth"),
        },
    ]
    caption = t("web.top", code, what=dimensions.dimension("department").label(code), n=TOP)
    return page(
        request,
        "overview.html",
        code,
        kpis=kpis,
        end=shown,
        newer=newer,
        coverage=attribution.coverage_note(svc, ytd.spec, ytd.dataset, code),
        headline=headline(svc, end, code),
        dataset=views.source(ytd.dataset, code),
        rows=_table(ytd, code)[:TOP],
        caption=caption,
        map=views.map_figure(svc, ytd.spec, "growth", code),
        bars=views.bars_figure(svc, ytd, code),
        result=ytd,
    )


def explorer_spec(
    end: Annotated[str | None, Query(pattern=MONTH_RE)] = None,
    window: WindowKind = WindowKind.ytd,
    flow: Flow = Flow.X,
    grouping: Dimension = Dimension("department"),
    basket_path: Annotated[str | None, Query(pattern=BASKET_PATH_RE)] = None,
    lang: LangQ = ES,
    svc: IndicatorService = Depends(service),
) -> Spec:
    if grouping.value not in EXPLORER_GROUPINGS:
        known = ", ".join(EXPLORER_GROUPINGS)
        raise DataNotAvailable(
            t("web.error.explorer_grouping", lang.value, known=known, grouping=repr(grouping.value)),
            field="grouping",
        )
    if window is WindowKind.range:
        window = WindowKind.ytd
    end = end or svc.latest_month(flow.value, grouping=grouping.value)
    if window is WindowKind.year and not end.endswith("-12"):
        end = f"{int(end[:4]) - 1}-12"
    return build_spec(
        window=window, end=end, grouping=grouping, flow=flow, basket_path=basket_path, lang=lang.value
    )


def explorer_view(
    svc: IndicatorService, spec: Spec, metric: views.Metric, lang: str, member: str | None = None
) -> dict[str, Any]:
    """Everything the explorer shows for a spec: table rows, map, series of ``member`` (national when None or
    not a member of the grouping), links (also served as JSON)."""
    result = svc.indicator(spec)
    rows = _table(result, lang)
    members = [(r["member"], r["label"]) for r in rows]
    member = member if member in dict(members) else None
    params = downloads.query(spec, lang)
    fig = views.map_figure(svc, spec, metric, lang)
    series = views.series_figure(svc, spec, lang, member=member)
    fmt = Formatter(lang)
    w = spec.window
    return {
        "rows": rows,
        "members": [("", dimensions.label("national", "", lang)), *members],
        "member": member or "",
        "map_note": map_note(spec, lang),
        "coverage": attribution.coverage_note(svc, spec, result.dataset, lang),
        "period": marks.period_label(
            svc, fmt.period(w.start, w.end), f"{w.end:%Y-%m}", result.dataset, lang, f"{w.start:%Y-%m}"
        ),
        "total": fmt.money(result.total()["value"]),
        "total_growth": fmt.figure(result.total()["growth"], "growth"),
        "map": None if fig is None else fig.as_dict(),
        "series": series.as_dict(),
        "dataset": views.source(result.dataset, lang),
        "vintages": list(result.vintages),
        "links": {
            "csv": f"/explorer/download.csv?{params}",
            "xlsx": f"/explorer/download.xlsx?{params}",
            "pdf": f"/explorer/download.pdf?{params}&metric={metric}",
            "api": f"/api/v1/indicators?{params}",
            "api_csv": f"/api/v1/indicators?{params}&format=csv",
        },
    }


def map_note(spec: Spec, lang: str) -> str:
    """How to read the map when it shows a grouping of departments (empty when grouped by department)."""
    name = spec.grouping.dimension
    if name in ("department", "national"):
        return ""
    return t("web.map_by_group", lang, group=dimensions.dimension(name).label(lang))


def month_choices(
    svc: IndicatorService, lang: str, current: str, flow: str = "X", grouping: str = "national"
) -> list[tuple[str, str]]:
    """The month picker's choices (months a dataset able to answer ``grouping`` holds, named in ``lang``);
    the current month always among them."""
    try:
        choices = views.month_options(svc, lang, flow, grouping=grouping)
    except ComercioError:
        choices = []
    if current not in dict(choices):
        fmt = Formatter(lang)
        choices = [(current, views.month_name(current, fmt)), *choices]
    return marks.month_choices(svc, choices, lang, flow, grouping)


def explorer_options(lang: str) -> dict[str, list[tuple[str, str]]]:
    """The explorer form's choices as (value, label in ``lang``)."""
    return {
        "window": [(w, t(f"web.window_kind.{w}", lang)) for w in EXPLORER_WINDOWS],
        "flow": flow_options(lang),
        "grouping": [(g, dimensions.dimension(g).label(lang)) for g in EXPLORER_GROUPINGS],
        "metric": [(m, t(f"web.{m}", lang)) for m in METRICS],
    }


Metric = Annotated[views.Metric, Query(description="Map colour: value, growth or share")]
MEMBER_RE = r"^[^\x00-\x1f<]{0,200}$"  # empty: the national total (the form's first choice)
Member = Annotated[str | None, Query(pattern=MEMBER_RE, description="Member whose monthly series is drawn")]


def no_data(exc: ComercioError, flow: str, lang: str) -> str:
    """What the dashboard says when a view has no data: for imports, in ``lang``, which data would answer."""
    return t("web.imports_needs", lang) if flow == "M" else exc.message


@router.get("/explorer", response_class=HTMLResponse)
def explorer(
    request: Request,
    spec: Spec = Depends(explorer_spec),
    metric: Metric = "value",
    member: Member = None,
    lang: LangQ = ES,
    svc: IndicatorService = Depends(service),
) -> Response:
    form = {
        "end": f"{spec.window.end.year:04d}-{spec.window.end.month:02d}",
        "window": spec.window.kind,
        "flow": spec.filters.flow,
        "grouping": spec.grouping.dimension,
        "metric": metric,
    }
    try:
        view: dict[str, Any] | None = explorer_view(svc, spec, metric, lang.value, member)
        error = None
    except ComercioError as exc:
        view, error = None, no_data(exc, spec.filters.flow, lang.value)
    options = explorer_options(lang.value)
    options["end"] = month_choices(svc, lang.value, form["end"], spec.filters.flow, spec.grouping.dimension)
    form["member"] = view["member"] if view else ""
    return page(
        request,
        "explorer.html",
        lang.value,
        form=form,
        options=options,
        view=view,
        error=error,
    )


@router.get("/explorer/view.json")
def explorer_json(
    spec: Spec = Depends(explorer_spec),
    metric: Metric = "value",
    member: Member = None,
    lang: LangQ = ES,
    svc: IndicatorService = Depends(service),
) -> Response:
    try:
        return JSONResponse(explorer_view(svc, spec, metric, lang.value, member))
    except ComercioError as exc:
        if spec.filters.flow != "M":
            raise
        return JSONResponse({"detail": no_data(exc, "M", lang.value)}, status_code=404)


@router.get("/explorer/download.{kind}")
def explorer_download(
    kind: Annotated[str, Path(pattern=r"^(csv|xlsx|pdf)$")],
    spec: Spec = Depends(explorer_spec),
    metric: Metric = "value",
    lang: LangQ = ES,
    svc: IndicatorService = Depends(service),
) -> Response:
    result = svc.indicator(spec)
    fig = views.map_figure(svc, spec, metric, lang.value) if kind == "pdf" else None
    retrieved = svc.retrieved_on(result.dataset, result.vintages)
    return downloads.respond(kind, result, lang.value, fig, retrieved)


@router.get("/region/{ubigeo}", response_class=HTMLResponse)
def region(
    request: Request,
    ubigeo: Annotated[str, Path(pattern=r"^\d{2}$")],
    end: Annotated[str | None, Query(pattern=MONTH_RE)] = None,
    lang: LangQ = ES,
    svc: IndicatorService = Depends(service),
) -> Response:
    code = lang.value
    name = dimensions.member_names("department", code).get(ubigeo)
    if name is None:
        raise DataNotAvailable(t("web.error.no_department", code, ubigeo=repr(ubigeo)), field="ubigeo")
    try:
        end = end or svc.latest_month(grouping="department")
        years = views.yearly(svc, ubigeo, code)
        spec = Spec(Window.ytd(end), Grouping("department"), Filters(departments=(ubigeo,)))
        series = views.series_figure(svc, spec, code, member=ubigeo)
        shares = views.share_figure(svc, years, name, code)
    except ComercioError as exc:
        heading = f"{t('web.region', code)}: {name}"
        return page(request, "message.html", code, heading=heading, message=exc.message)
    fmt = Formatter(code)
    rows = [{"year": y["year"], **views.fmt_row(y, fmt)} for y in reversed(years)]
    last = views.month_name(end, fmt)
    answered = marks.answering(svc, month=end)
    latest = marks.mark(last, code) if marks.is_preliminary(svc, end, answered) else last
    coverage = attribution.coverage_note(svc, spec, answered, code)
    return page(
        request,
        "region.html",
        code,
        name=name,
        rows=rows,
        series=series,
        shares=shares,
        latest=latest,
        coverage=coverage,
    )


SECTOR_WINDOWS = ("month", "ytd", "rolling12")
FirstYear = Annotated[
    int | None, Query(alias="first", ge=1948, le=2100, description="First year, world view")
]
LastYear = Annotated[int | None, Query(alias="last", ge=1948, le=2100, description="Last year, world view")]


@router.get("/sector", response_class=HTMLResponse)
def sector(
    request: Request,
    path: Annotated[str | None, Query(pattern=BASKET_PATH_RE)] = None,
    flow: Flow = Flow.X,
    end: Annotated[str | None, Query(pattern=MONTH_RE)] = None,
    window: WindowKind = WindowKind.ytd,
    first_year: FirstYear = None,
    last_year: LastYear = None,
    lang: LangQ = ES,
    svc: IndicatorService = Depends(service),
) -> Response:
    code = lang.value
    world, world_error = views.world_block(svc, first_year, last_year, flow.value, code)
    lines = sector_lines.lines_view(svc, views.SECTOR_STUDY, flow.value, code)
    kind = window.value if window.value in SECTOR_WINDOWS else "ytd"
    try:
        last = svc.latest_month(flow.value, "sunat_cuadros")
        end = end if end is not None and end <= last else last
        level = 1 if path is None else path.count(PATH_SEPARATOR) + 2
        w = {"month": Window.month, "ytd": Window.ytd, "rolling12": Window.rolling12}[kind](end)
        spec = Spec(
            w,
            Grouping("sector", level=level),
            Filters(flow=flow.value, basket_path=path),
            Comparison(),
            dataset="sunat_cuadros",
        )
        result = svc.indicator(spec)
        months = views.month_options(svc, code, flow.value, "sunat_cuadros")
    except ComercioError as exc:
        if lines is None:
            message = no_data(exc, flow.value, code)
            return page(request, "message.html", code, heading=t("web.sector", code), message=message)
        return sector_lines.lines_only_page(request, code, flow.value, world, world_error, lines)
    options = {
        "end": months,
        "window": [(k, t(f"web.window_kind.{k}", code)) for k in SECTOR_WINDOWS],
        "flow": flow_options(code),
        **world_options(world),
    }
    response = page(
        request,
        "sector.html",
        code,
        w=section("sector.web", code),
        world=world,
        world_error=world_error,
        path=path,
        crumbs=display_path(path).split(PATH_SEPARATOR) if path else [],
        flow=flow.value,
        form={
            "end": end,
            "window": kind,
            "flow": flow.value,
            **({"first": str(world["first"]), "last": str(world["last"])} if world else {}),
        },
        options=options,
        rows=_table(result, code),
        bars=views.bars_figure(svc, result, code),
        dataset=views.source(result.dataset, code),
        period=Formatter(code).period(spec.window.start, spec.window.end),
        drill=path is None or path.count(PATH_SEPARATOR) < 2,
        lines=lines,
        cols=section("sector.col", code),
    )
    if world_error is not None and world is not None:
        response.status_code = 400  # a span outside the data, or reversed: said on the page
    return response


@router.get("/customs", response_class=HTMLResponse)
def customs(
    request: Request, flow: Flow = Flow.M, lang: LangQ = ES, svc: IndicatorService = Depends(service)
) -> Response:
    code = lang.value
    try:
        end = svc.latest_month(flow.value, "customs_lines")
        window, filters = Window.month(end), Filters(flow=flow.value)
        before: Comparison | None = Comparison()  # the same month a year earlier, where the lines hold it
        try:
            result = svc.indicator(Spec(window, Grouping("customs_office"), filters, before, "customs_lines"))
        except DataNotAvailable:  # no year-earlier month (a consultation extract): the month alone
            before = None
            result = svc.indicator(Spec(window, Grouping("customs_office"), filters, before, "customs_lines"))
        products = svc.indicator(Spec(window, Grouping("product"), filters, before, "customs_lines"))
        partners = svc.indicator(Spec(window, Grouping("partner"), filters, before, "customs_lines"))
    except ComercioError as exc:
        detail = "" if isinstance(exc, DataNotAvailable) else f" {exc.message}"  # the data, said in `code`
        message = f"{t('web.needs', code)} {t(f'web.customs_needs.{flow.value}', code)}.{detail}"
        return page(request, "message.html", code, heading=t("web.customs", code), message=message)
    sample = views.sample_note(svc, result, products, code)
    return page(
        request,
        "customs.html",
        code,
        rows=_table(result, code),
        sample=sample,
        flow=flow.value,
        flows=flow_options(code),
        partners=_table(partners, code)[:TOP],
        partners_caption=t(f"sector.web.customs_partners.{flow.value}", code, n=TOP),
        basket_link=t(f"sector.web.customs_basket.{flow.value}", code),
        dataset=views.source(result.dataset, code),
        period=Formatter(code).period(window.start, window.end),
    )


@router.get("/downloads", response_class=HTMLResponse)
def downloads_page(request: Request, lang: LangQ = ES, svc: IndicatorService = Depends(service)) -> Response:
    try:
        spec = build_spec(window=WindowKind.ytd, end=svc.latest_month(grouping="department"), lang=lang.value)
        params = downloads.query(spec, lang.value)
    except ComercioError:
        params = None
    reports = downloads.listed(svc.reports(), lang.value)
    return page(request, "downloads.html", lang.value, reports=reports, params=params)
