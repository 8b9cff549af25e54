"""Profile pages: ``/perfil`` (choose a region, a product or a country) and ``/perfil/{kind}/{code}``.

A page is the profile report itself (:func:`comercio.reports.profiles.build_profile`): the same sections,
prose, tables and charts as the HTML/PDF report, every chart over its dataset's whole span with a partial
year named by its months. The bundle is computed once per warehouse version by the service's cache; the
page links the report's downloads (``comercio report profile`` writes them) through the same query.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from comercio.errors import ComercioError
from comercio.i18n import section, t
from comercio.reports import charts
from comercio.reports.fmt import Formatter
from comercio.reports.profiles import build_profile
from comercio.reports.profiles_facts import KINDS, ProfileFacts, profile_facts
from comercio.reports.writers import Report, cell_text
from comercio.service import IndicatorService, Lang
from comercio.web.templating import page, service

router = APIRouter(include_in_schema=False)
CODE = r"^[A-Za-z0-9_\-]{2,40}$"
LangQ = Annotated[Lang, Query()]
ES = Lang("es")


def _bundle(svc: IndicatorService, kind: str, code: str) -> ProfileFacts:
    return svc.run(("profile", kind, code), lambda: profile_facts(svc.wh, kind, code))


def _sections(report: Report, lang: str) -> list[dict[str, Any]]:
    """The report's sections with cells formatted and charts as inline SVG (with their descriptions)."""
    fmt = Formatter(lang)
    out = []
    for s in report.sections:
        tables = [
            {
                "id": tb.id,
                "title": tb.title,
                "note": tb.note,
                "columns": [{"label": c.label, "num": c.kind != "text"} for c in tb.columns],
                "rows": [[cell_text(fmt, c, row.get(c.key)) for c in tb.columns] for row in tb.rows],
            }
            for tb in s.tables
        ]
        figures = [{"id": f.id, "svg": charts.svg(f.spec), "description": f.alt} for f in s.figures]
        out.append(
            {"id": s.id, "title": s.title, "paragraphs": s.paragraphs, "omitted": s.omitted,
             "tables": tables, "figures": figures}
        )  # fmt: skip
    return out


@router.get("/perfil", response_class=HTMLResponse)
def choose(
    request: Request,
    kind: Annotated[str | None, Query(pattern="^(region|product|partner)$")] = None,
    code: Annotated[str | None, Query(pattern=CODE)] = None,
    lang: LangQ = ES,
) -> Response:
    """The chooser; with ``kind`` and ``code`` it sends the reader to the profile's own URL."""
    if kind and code:
        return RedirectResponse(f"/perfil/{kind}/{code}?lang={lang.value}", status_code=303)
    return page(request, "profile.html", lang.value, p=section("profiles", lang.value), kinds=KINDS,
                sections=None, heading=t("profiles.web.heading", lang.value))  # fmt: skip


@router.get("/perfil/{kind}/{code}", response_class=HTMLResponse)
def profile(
    request: Request,
    kind: Annotated[str, Path(pattern="^(region|product|partner)$")],
    code: Annotated[str, Path(pattern=CODE)],
    lang: LangQ = ES,
    svc: IndicatorService = Depends(service),
) -> Response:
    """A region (``/perfil/region/04``), a product (``/perfil/product/080440``) or a country (``…/CL``)."""
    lc = lang.value
    p_words = section("profiles", lc)
    try:
        report = build_profile(_bundle(svc, kind, code), lc)
    except ComercioError as exc:
        heading = t("profiles.web.heading", lc)
        return page(request, "message.html", lc, heading=heading, message=exc.message)
    return page(
        request,
        "profile.html",
        lc,
        p=p_words,
        kinds=KINDS,
        kind=kind,
        code=code,
        heading=report.title,
        subtitle=report.subtitle,
        source=report.source,
        sections=_sections(report, lc),
    )
