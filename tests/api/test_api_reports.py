"""Report listing and downloads confined to the report directory; the API writes no report (the CLI does)."""

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


def test_the_api_writes_no_report(api_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Report generation is the CLI's (`comercio report`): no route writes a file, whatever it is sent."""
    from comercio.server import create_app

    c = TestClient(create_app(replace(api_settings, reports_dir=tmp_path), dashboard=False))
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        resp = c.request(method, "/api/v1/reports", json={"month": "2022-11", "formats": ["json"]})
        assert resp.status_code == 405, (method, resp.text)
    assert list(tmp_path.iterdir()) == []
    paths = c.get("/api/v1/openapi.json").json()["paths"]
    assert {(p, m) for p, ops in paths.items() for m in ops if m != "get"} == {("/api/v1/check", "post")}


def test_a_very_long_report_path_is_not_found(client: TestClient) -> None:
    resp = client.get("/api/v1/reports/files/" + "a" * 300 + ".md")
    assert resp.status_code == 404 and resp.json()["error"] == "NotFound"
    resp = client.get("/api/v1/reports/files/2022-11/regional.md/inside.md")
    assert resp.status_code == 404
