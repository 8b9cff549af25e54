"""Report listing, downloads confined to the report directory, and generation through the service."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient


def test_list_and_download(client: TestClient) -> None:
    files = client.get("/api/v1/reports").json()["files"]
    assert [f["path"] for f in files] == ["2022-11/regional.md"]
    resp = client.get(files[0]["url"])
    assert resp.status_code == 200 and resp.text.startswith("# Reporte regional")


@pytest.mark.parametrize(
    "path",
    [
        "../secret.md",
        "..%2Fsecret.md",
        "2022-11/../../secret.md",
        "%2Fetc%2Fpasswd",
        "//etc/passwd",
        "2022-11/nothing.md",
        "link.md",
    ],
)
def test_downloads_never_leave_the_report_directory(client: TestClient, reports_dir: Path, path: str) -> None:
    secret = reports_dir.parent / "secret.md"
    secret.write_text("secret", encoding="utf-8")
    link = reports_dir / "link.md"
    if not link.exists():
        link.symlink_to(secret)
    resp = client.get(f"/api/v1/reports/files/{path}")
    assert resp.status_code == 404
    assert "secret" not in resp.text
    assert resp.json()["error"] == "NotFound"


def test_generate_writes_the_regional_report(api_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from comercio.server import create_app

    c = TestClient(create_app(replace(api_settings, reports_dir=tmp_path), dashboard=False))
    resp = c.post("/api/v1/reports", json={"month": "2022-11", "lang": "en", "formats": ["json"]})
    assert resp.status_code == 201, resp.text
    files = resp.json()["files"]
    assert [f["path"] for f in files] == ["regional-2022-11-en/report.json"]
    report = c.get(files[0]["url"]).json()
    assert report["lang"] == "en" and report["facts"]


def test_generate_validates_its_body(client: TestClient) -> None:
    assert client.post("/api/v1/reports", json={"month": "November"}).status_code == 422
    resp = client.post("/api/v1/reports?dry_run=true&lang=es", json={"formats": ["docx"]})
    assert resp.status_code == 422 and "formatos de reporte desconocidos" in resp.json()["detail"]
