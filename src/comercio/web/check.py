"""The dashboard page «Verificar un texto» (``/verificar``): paste a text, see each of its figures checked.

A plain form that works without JavaScript: GET shows it; POST reads the form (at most
:data:`MAX_FORM_BYTES` bytes, the text at most ``MAX_CHECK_CHARS`` characters, as the API), checks the text
through the service (:meth:`~comercio.service.IndicatorService.check`, the API's call: bounded queries on the
read-only warehouse) and shows the check's own HTML under the form. Nothing is written anywhere. The
page's language (``?lang=``) and the text's language (the form's select) are chosen apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from comercio.errors import ComercioError, WarehouseError
from comercio.i18n import LANGS, t
from comercio.reports.fmt import Formatter
from comercio.service import MAX_CHECK_CHARS, IndicatorService, Lang
from comercio.web.templating import page, service

router = APIRouter(include_in_schema=False)
PATH = "/verificar"
MAX_FORM_BYTES = 9 * MAX_CHECK_CHARS + 1024
"""The largest form body read, in bytes: the longest text with every character percent-encoded."""
FIELDS = ("text", "lang", "published")


@dataclass(frozen=True)
class Form:
    """The form's values as sent (shown again above the result)."""

    text: str = ""
    lang: str = "es"
    published: str = ""


@router.get(PATH, response_class=HTMLResponse)
def check_page(request: Request, lang: Annotated[Lang, Query()] = Lang("es")) -> Response:
    return show(request, lang.value, Form(lang=lang.value))


@router.get(f"{PATH}/check.css")
def check_css() -> Response:
    """The check's own stylesheet (scoped under ``.ck-report``), served beside the dashboard's."""
    from comercio.check.render import stylesheet

    return Response(stylesheet(), media_type="text/css; charset=utf-8")


@router.post(PATH, response_class=HTMLResponse)
async def check_submit(
    request: Request,
    lang: Annotated[Lang, Query()] = Lang("es"),
    svc: IndicatorService = Depends(service),
) -> Response:
    code = lang.value
    raw = await read_bounded(request, MAX_FORM_BYTES)
    if raw is None:
        too_long = t("web.check.too_long", code, chars=Formatter(code).number(MAX_CHECK_CHARS))
        return await run_in_threadpool(show, request, code, Form(lang=code), error=too_long, status=413)
    form, problem = parse(raw, code)
    if problem is not None:
        return await run_in_threadpool(show, request, code, form, error=problem, status=422)
    return await run_in_threadpool(answer, request, code, form, svc)


async def read_bounded(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is (or says it is) longer than ``limit`` bytes."""
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def parse(raw: bytes, lang: str) -> tuple[Form, str | None]:
    """The form's values from a URL-encoded body, and what is wrong with them (None when nothing is)."""
    values = parse_qs(raw.decode("latin-1"), keep_blank_values=True, max_num_fields=20, encoding="utf-8")
    given = {name: values.get(name, [""])[0] for name in FIELDS}
    form = Form(given["text"].replace("\r\n", "\n"), given["lang"] or lang, given["published"].strip())
    if form.lang not in LANGS:
        return replace(form, lang=lang), t("web.check.bad_lang", lang, value=form.lang[:20])
    if form.published and not is_day(form.published):
        return form, t("web.check.bad_published", lang, value=form.published[:20])
    if not form.text.strip():
        return form, t("web.check.empty", lang)
    if len(form.text) > MAX_CHECK_CHARS:
        return form, t("web.check.too_long", lang, chars=Formatter(lang).number(MAX_CHECK_CHARS))
    return form, None


def is_day(value: str) -> bool:
    """Whether ``value`` is a calendar day written YYYY-MM-DD."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def answer(request: Request, lang: str, form: Form, svc: IndicatorService) -> Response:
    """The page with the check of ``form``'s text under the form (or why it could not be checked)."""
    from comercio.check.render import html_fragment

    try:
        report = svc.check(form.text, form.lang, form.published or None, t("web.check.source", lang))
    except ComercioError as exc:
        status = 503 if isinstance(exc, WarehouseError) else 400
        return show(request, lang, form, error=exc.message, status=status)
    return show(request, lang, form, result=html_fragment(report, lang), counts=report.counts)


def show(
    request: Request,
    lang: str,
    form: Form,
    *,
    error: str | None = None,
    result: str | None = None,
    counts: dict[str, int] | None = None,
    status: int = 200,
) -> Response:
    """The page in ``lang``: the form with ``form``'s values, then the error or the result."""
    response = page(
        request,
        "check.html",
        lang,
        form=form,
        langs=[(code, t(f"web.lang_name.{code}", lang)) for code in LANGS],
        max_chars=MAX_CHECK_CHARS,
        hint=t("web.check.text_hint", lang, chars=Formatter(lang).number(MAX_CHECK_CHARS)),
        error=error,
        result=result,
        counts=counts,
    )
    response.status_code = status
    return response
