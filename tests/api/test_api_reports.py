"""Report listing, downloads confined to the report directory, and generation (501 without the writer)."""

from __future__ import annotations

import sys
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


def test_generate_is_501_without_the_report_writer(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "comercio.reports.regional", None)  # import fails
    resp = client.post("/api/v1/reports", json={"month": "2022-11"})
    assert resp.status_code == 501
    assert "write_regional" in resp.json()["detail"]


def test_generate_validates_its_body(client: TestClient) -> None:
    assert client.post("/api/v1/reports", json={"month": "November"}).status_code == 422
