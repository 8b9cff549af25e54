"""The dashboard's templates and static assets, and the page renderer every view uses.

Templates get ``t`` (the ``web`` section of the message catalogue in the page's language), ``lang``, the
language switch URL, ``q`` (the language query string for links) and ``columns`` (the figures of a table
row, from :data:`comercio.service.ROW_FIELDS`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from comercio.i18n import LANGS, has, section, t
from comercio.reports.narrative import join_names
from comercio.service import ROW_FIELDS, Flow, IndicatorService

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
TABLE_COLUMNS = tuple(c for c in ROW_FIELDS if c != "rank")  # rank is the first column of every table
templates.env.globals["columns"] = TABLE_COLUMNS  # globals reach imported macros (_table.html)


def service(request: Request) -> IndicatorService:
    """The application service of the app (a FastAPI dependency)."""
    svc: IndicatorService = request.app.state.service
    return svc


def flow_options(lang: str) -> list[tuple[str, str]]:
    """The flow picker's choices (exports, imports) in ``lang``."""
    return [(f.value, t(f"web.{f.value}", lang)) for f in Flow]


def world_options(world: dict[str, Any] | None) -> dict[str, list[tuple[str, str]]]:
    """The first- and last-year pickers of the sector page's world view (none without WTO data)."""
    if world is None:
        return {}
    years = [str(y) for y in world["years"]]
    return {"first": [(y, y) for y in years[:-1]], "last": [(y, y) for y in years[1:]]}


def synthetic_notice(svc: IndicatorService, lang: str) -> str | None:
    """The banner every page carries while the warehouse holds synthetic data, naming those datasets."""
    names = svc.synthetic_datasets()
    if not names:
        return None
    quote = ("«", "»") if lang == "es" else ("“", "”")
    shown = [
        f"{quote[0]}{t(f'common.dataset.{n}', lang) if has(f'common.dataset.{n}') else n}{quote[1]}"
        for n in names
    ]
    return t("web.synthetic_notice", lang, datasets=join_names(shown, lang))


def page(request: Request, template: str, lang: str, **context: Any) -> HTMLResponse:
    """Render ``template`` in ``lang`` with the catalogue's dashboard texts as ``t`` (and the synthetic-data
    banner when the warehouse holds any)."""
    other = next(code for code in LANGS if code != lang)
    params = dict(request.query_params)
    params["lang"] = other
    return templates.TemplateResponse(
        request,
        template,
        {
            "t": section("web", lang),
            "lang": lang,
            "other_lang": other,
            "switch_url": f"{request.url.path}?{urlencode(params)}",
            "q": urlencode({"lang": lang}),
            "synthetic_notice": synthetic_notice(service(request), lang),
            **context,
        },
    )
