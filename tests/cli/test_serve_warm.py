"""``comercio serve`` warms the first page before it says it is ready (issue 15: first page < 0.5 s)."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from comercio.config import Settings
from comercio.server import create_app
from comercio.web.app import warm


def test_warmed_first_page_is_the_page_a_cold_server_serves(built_home: Path, tmp_path: Path) -> None:
    settings = Settings(home=built_home, reports_dir=tmp_path)
    warmed = create_app(settings)
    assert warm(warmed) == {"/": 200}
    first = TestClient(warmed).get("/")
    cold = TestClient(create_app(settings)).get("/")
    assert first.status_code == cold.status_code == 200
    assert first.text == cold.text
    assert first.headers["content-security-policy"] == cold.headers["content-security-policy"]


def test_warming_an_empty_warehouse_does_not_stop_the_server(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path / "home", reports_dir=tmp_path / "reports"))
    status = warm(app)
    assert set(status) == {"/"}
    assert TestClient(app).get("/").status_code == status["/"]
