"""``POST /api/v1/check``: a text in, every figure in it checked against the loaded data.

The API's one POST, and read-only all the same: the text is read into claims and each claim is computed
through the indicator engine (:func:`comercio.check.check_text`) on a read-only warehouse of the service;
nothing is stored and the text never becomes SQL. Bounds: the body is refused past :data:`MAX_BODY` bytes
before it is read (413), the text past ``MAX_CHECK_CHARS`` characters (422 naming ``text``), and every query
the check runs is bounded by the service's ``query_timeout_s`` (503 past it). Checks run one at a time, on
a connection of their own (:meth:`~comercio.service.IndicatorService.check`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.types import Message

from comercio.api.params import ERRORS, ErrorBody, error_lang, single_values
from comercio.api.routes import json_response, service
from comercio.i18n import t
from comercio.service import MAX_CHECK_CHARS, IndicatorService, Lang

DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
MAX_BODY = 12 * MAX_CHECK_CHARS + 4096
"""The largest request body read, in bytes: the longest text with every character JSON-escaped."""
EXAMPLE: dict[str, Any] = {
    "text": "En 2022, las exportaciones de Arequipa sumaron US$ 6 200 millones, 8,4 % más que en 2021.",
    "lang": "es",
    "published": "2023-02-15",
}
PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The HTML answer is a standalone page with its stylesheet inline, and the text in it is the sender's: styles
only, no script, no request of any kind."""
MEDIA = {"json": "application/json", "md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}


class CheckFormat(StrEnum):
    json = "json"
    md = "md"
    html = "html"


class CheckBody(BaseModel):
    """What to check: the text, its language and the day it was published."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    text: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_CHECK_CHARS,
            description=f"Plain text, at most {MAX_CHECK_CHARS} characters",
        ),
    ]
    lang: Annotated[Lang, Field(description="Language of the text")] = Lang("es")
    published: Annotated[
        str | None,
        Field(
            pattern=DATE_RE,
            description="Day the text was published (YYYY-MM-DD): resolves «a noviembre», «el año pasado»",
        ),
    ] = None

    @field_validator("published")
    @classmethod
    def a_calendar_day(cls, value: str | None) -> str | None:
        if value is not None:
            date.fromisoformat(value)  # ValueError (422) for 2025-02-30
        return value


class BoundedBody(APIRoute):
    """A route whose request body is refused past :data:`MAX_BODY` bytes (413), announced or streamed."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def bounded(request: Request) -> Response:
            lang = error_lang(request)
            length = request.headers.get("content-length", "0")
            if not length.isdigit() or int(length) > MAX_BODY:
                raise too_large(lang)
            received = 0

            async def receive() -> Message:
                nonlocal received
                message = await request.receive()
                received += len(message.get("body", b""))
                if received > MAX_BODY:
                    raise too_large(lang)
                return message

            return await handler(Request(request.scope, receive))

        return bounded


def too_large(lang: str) -> HTTPException:
    return HTTPException(
        status_code=413, detail=t("api.check.too_large", lang, bytes=MAX_BODY, chars=MAX_CHECK_CHARS)
    )


router = APIRouter(responses=ERRORS, dependencies=[Depends(single_values)], route_class=BoundedBody)
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The check: counts by verdict, every claim and every number not read as one",
        "content": {media.split(";")[0]: {} for media in MEDIA.values()},
    },
    413: {"model": ErrorBody, "description": f"A body over {MAX_BODY} bytes"},
}


@router.post(
    "/check",
    summary="Check every figure of a text against the loaded data",
    description=(
        "Reads the figures of a press text (Spanish or English: «US$ 3.530,1 millones», «19,8 %», «veinte "
        "regiones», «cayeron 9 %») with what each is about (subject, measure, period) and computes each one "
        "from the loaded data. Every claim gets a verdict: `consistent` (within half a unit of its printed "
        "precision), `close`, `differs` (with the documented definition that reproduces it, if any) or "
        "`not_checkable` (with the reason: period or subject not loaded, measure not supported); every other "
        "number is listed with why it was not read as a claim. `format=json` (default) gives the counts, the "
        "claims with their character span, parsed value, computed value, dataset and vintage; `md` a table; "
        "`html` the text with each figure marked by verdict. "
        f"The text is at most {MAX_CHECK_CHARS} characters; each query is bounded by the server's query time "
        "limit (503 past it). Nothing is stored."
    ),
    responses=RESPONSES,
)
def check(
    body: CheckBody,
    format: Annotated[CheckFormat, Query(description="json, md or html")] = CheckFormat.json,
    svc: IndicatorService = Depends(service),
) -> Response:
    from comercio.check.render import render

    report = svc.check(body.text, body.lang.value, body.published, "api")
    if format is CheckFormat.json:
        return json_response(report.as_dict())
    headers = {"Content-Security-Policy": PAGE_CSP} if format is CheckFormat.html else None
    return Response(
        render(report, format.value, report.lang), media_type=MEDIA[format.value], headers=headers
    )
