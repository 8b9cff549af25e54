"""``/api/v1/reports``: generate the regional report, list report files, download one.

Downloads are confined to ``settings.reports_dir``: the requested path is resolved (symlinks included) and
refused unless it stays inside that directory, so ``../`` or absolute paths never leave it. Generation calls
:func:`comercio.reports.regional.write_regional` when that module is installed, else answers 501.
"""

from __future__ import annotations

import inspect
import mimetypes
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from comercio.api.params import ERRORS, MONTH_RE, ErrorBody, Lang, Page, page_params
from comercio.api.routes import json_response, paginate, service
from comercio.api.service import IndicatorService
from comercio.errors import DataNotAvailable

router = APIRouter(responses=ERRORS)
MAX_FILES = 5000
SUFFIXES = {".html", ".pdf", ".xlsx", ".md", ".json", ".csv", ".png", ".svg"}


class ReportRequest(BaseModel):
    """What report to write: the last month of the window and the language."""

    month: str | None = Field(default=None, pattern=MONTH_RE, description="YYYY-MM; default the latest month")
    lang: Lang = Lang.es
    formats: list[str] = Field(default_factory=lambda: ["html"], max_length=5)


def reports_root(request: Request) -> Path:
    root = Path(request.app.state.settings.reports_dir).resolve()
    return root


def confined(root: Path, relative: str) -> Path:
    """The file ``relative`` inside ``root``, or 404: no absolute path, no ``..``, no symlink leaving root."""
    if not relative or relative.startswith(("/", "\\")) or "\x00" in relative or ".." in Path(relative).parts:
        raise HTTPException(status_code=404, detail="no such report file")
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file() or path.suffix.lower() not in SUFFIXES:
        raise HTTPException(status_code=404, detail="no such report file")
    return path


def _files(root: Path) -> list[dict[str, Any]]:
    if not root.is_dir():
        return []
    out: list[dict[str, Any]] = []
    for p in sorted(root.rglob("*")):
        if len(out) >= MAX_FILES:
            break
        if p.is_file() and p.suffix.lower() in SUFFIXES and p.resolve().is_relative_to(root):
            rel = p.relative_to(root).as_posix()
            out.append({"path": rel, "bytes": p.stat().st_size, "url": f"/api/v1/reports/files/{rel}"})
    return out


@router.get("/reports", summary="Report files in the report directory (paginated)")
def list_reports(request: Request, page: Page = Depends(page_params)) -> Response:
    part, meta = paginate(_files(reports_root(request)), page)
    return json_response({"files": part, "pagination": meta})


@router.get(
    "/reports/files/{path:path}",
    summary="Download one report file (confined to the report directory)",
    responses={200: {"content": {"*/*": {}}, "description": "The file, with its media type"}},
)
def download_report(path: str, request: Request) -> FileResponse:
    file = confined(reports_root(request), path)
    media = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return FileResponse(file, media_type=media, filename=file.name)


@router.post(
    "/reports",
    summary="Write the regional report for a month (501 until the report module is installed)",
    status_code=201,
    responses={
        200: {"description": "dry_run=true: what would be written"},
        501: {"model": ErrorBody, "description": "The report writer is not installed"},
    },
)
def generate_report(
    body: ReportRequest,
    request: Request,
    dry_run: Annotated[bool, Query(description="Only check that a report can be written")] = False,
    svc: IndicatorService = Depends(service),
) -> Response:
    try:
        from comercio.reports.regional import write_regional
    except ImportError:
        return JSONResponse(
            {
                "error": "NotImplemented",
                "detail": "report generation needs comercio.reports.regional.write_regional, "
                "which is not installed in this version",
            },
            status_code=501,
        )
    month = body.month or svc.latest_month()
    allowed = {"html", "pdf", "xlsx", "md", "json"}
    bad = [f for f in body.formats if f not in allowed]
    if bad:
        raise HTTPException(status_code=422, detail=f"unknown report formats {bad}; use {sorted(allowed)}")
    if dry_run:
        return json_response({"month": month, "lang": body.lang.value, "formats": body.formats})
    root = reports_root(request)
    root.mkdir(parents=True, exist_ok=True)
    before = {f["path"] for f in _files(root)}
    offered: dict[str, Any] = {
        "wh": svc.wh,
        "warehouse": svc.wh,
        "settings": svc.settings,
        "month": month,
        "through": month,
        "out": root / f"regional-{month}-{body.lang.value}",
        "lang": body.lang.value,
        "formats": tuple(body.formats),
        "out_dir": root,
        "output_dir": root,
    }
    params = inspect.signature(write_regional).parameters
    kwargs = {k: v for k, v in offered.items() if k in params}
    try:
        write_regional(**kwargs)
    except TypeError as exc:
        raise DataNotAvailable(f"the report writer refused the request: {exc}") from exc
    created = [f for f in _files(root) if f["path"] not in before]
    return JSONResponse({"month": month, "lang": body.lang.value, "files": created}, status_code=201)
