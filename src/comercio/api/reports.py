"""``/api/v1/reports``: list the report files, download one. The API is read-only: reports are written by
the CLI (``comercio report …``), never through HTTP.

Downloads are confined to ``settings.reports_dir``: the requested path is resolved (symlinks included) and
refused unless it stays inside that directory, so ``../`` or absolute paths never leave it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response

from comercio.api.params import ERRORS, Page, error_lang, page_params, single_values
from comercio.api.routes import follow, json_response, paginate, service
from comercio.i18n import t
from comercio.service import REPORT_SUFFIXES, IndicatorService

router = APIRouter(responses=ERRORS, dependencies=[Depends(single_values)])
FILES_URL = "/api/v1/reports/files/"


def reports_root(request: Request) -> Path:
    """The service's report directory, resolved once when the app started (not against today's cwd)."""
    root: Path = request.app.state.service.reports_root
    return root


def confined(root: Path, relative: str, lang: str) -> Path:
    """The file ``relative`` inside ``root``, or 404: no absolute path, no ``..``, no symlink leaving root."""
    missing = HTTPException(status_code=404, detail=t("api.error.no_report_file", lang))
    if not relative or relative.startswith(("/", "\\")) or "\x00" in relative or ".." in Path(relative).parts:
        raise missing
    try:  # a name too long for the file system, or a path through a file, is simply not there
        path = (root / relative).resolve()
        found = path.is_relative_to(root) and path.is_file() and path.suffix.lower() in REPORT_SUFFIXES
    except (OSError, ValueError):
        raise missing from None
    if not found:
        raise missing
    return path


def with_urls(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**f, "url": FILES_URL + f["path"]} for f in files]


@router.get(
    "/reports",
    summary="Report files in the report directory (paginated)",
    responses=follow(
        "file", "download_report_api_v1_reports_files__path__get", "path", "$response.body#/files/0/path"
    ),
)
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
