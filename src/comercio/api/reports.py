"""``/api/v1/reports``: generate the regional report, list report files, download one.

Downloads are confined to ``settings.reports_dir``: the requested path is resolved (symlinks included) and
refused unless it stays inside that directory, so ``../`` or absolute paths never leave it. Generation asks
the application service, which calls :func:`comercio.reports.regional.write_regional`.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from comercio.api.params import ERRORS, MONTH_RE, Page, error_lang, page_params
from comercio.api.routes import json_response, paginate, service
from comercio.i18n import t
from comercio.reports.writers import FORMATS
from comercio.service import REPORT_SUFFIXES, IndicatorService, Lang

router = APIRouter(responses=ERRORS)
FILES_URL = "/api/v1/reports/files/"


class ReportRequest(BaseModel):
    """What report to write: the last month of the window, the language and the formats."""

    month: str | None = Field(default=None, pattern=MONTH_RE, description="YYYY-MM; default the latest month")
    lang: Lang = Lang("es")
    formats: list[str] = Field(default_factory=lambda: ["html"], max_length=5)


def reports_root(request: Request) -> Path:
    """The service's report directory, resolved once when the app started (not against today's cwd)."""
    root: Path = request.app.state.service.reports_root
    return root


def confined(root: Path, relative: str, lang: str) -> Path:
    """The file ``relative`` inside ``root``, or 404: no absolute path, no ``..``, no symlink leaving root."""
    missing = HTTPException(status_code=404, detail=t("api.error.no_report_file", lang))
    if not relative or relative.startswith(("/", "\\")) or "\x00" in relative or ".." in Path(relative).parts:
        raise missing
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file() or path.suffix.lower() not in REPORT_SUFFIXES:
        raise missing
    return path


def with_urls(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**f, "url": FILES_URL + f["path"]} for f in files]


@router.get("/reports", summary="Report files in the report directory (paginated)")
def list_reports(page: Page = Depends(page_params), svc: IndicatorService = Depends(service)) -> Response:
    part, meta = paginate(with_urls(svc.report_files()), page)
    return json_response({"files": part, "pagination": meta})


@router.get(
    "/reports/files/{path:path}",
    summary="Download one report file (confined to the report directory)",
    responses={200: {"content": {"*/*": {}}, "description": "The file, with its media type"}},
)
def download_report(path: str, request: Request) -> FileResponse:
    file = confined(reports_root(request), path, error_lang(request))
    media = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return FileResponse(file, media_type=media, filename=file.name)


@router.post(
    "/reports",
    summary="Write the regional report for a month",
    status_code=201,
    responses={200: {"description": "dry_run=true: what would be written"}},
)
def generate_report(
    body: ReportRequest,
    request: Request,
    dry_run: Annotated[bool, Query(description="Only check that a report can be written")] = False,
    svc: IndicatorService = Depends(service),
) -> Response:
    bad = [f for f in body.formats if f not in FORMATS]
    if bad:
        detail = t("api.error.unknown_formats", error_lang(request), bad=bad, allowed=list(FORMATS))
        raise HTTPException(status_code=422, detail=detail)
    month = body.month or svc.latest_month()
    lang = body.lang.value
    if dry_run:
        return json_response({"month": month, "lang": lang, "formats": body.formats})
    created = with_urls(svc.write_regional(month, lang, body.formats))
    return JSONResponse({"month": month, "lang": lang, "files": created}, status_code=201)
