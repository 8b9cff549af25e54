"""The dashboard marks preliminary months of customs lines: overview, explorer (period and month picker) and
region pages, on a hand-made warehouse of lines whose last month is young (decision 0017, point 5)."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

_HELPER = Path(__file__).parents[1] / "indicators" / "_customs_lines.py"
_spec = importlib.util.spec_from_file_location("_customs_lines", _HELPER)
assert _spec is not None and _spec.loader is not None
lines = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lines)

AS_OF = date(2024, 6, 30)


def _lines() -> list[Any]:
    out = []
    months = [date(2023, m, 1) for m in range(1, 13)] + [date(2024, m, 1) for m in range(1, 7)]
    for month in months:
        for day, lag in ((5, 4), (12, 18), (20, 35)):
            shipped = month.replace(day=day)
            filed = shipped + timedelta(days=lag)
            if filed <= AS_OF:
                for dept, v in (("15", 60.0), ("13", 40.0)):
                    out.append(("X", shipped, filed, dept, "producer_ubigeo", v))
    out.append(("X", date(2024, 6, 26), AS_OF, "13", "producer_ubigeo", 10.0))
    return out


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from comercio.config import Settings
    from comercio.server import create_app

    home = lines.load_lines(tmp_path_factory.mktemp("web-lines"), _lines())
    reports = tmp_path_factory.mktemp("web-lines-reports")
    return TestClient(create_app(Settings(home=home, reports_dir=reports)))


def test_overview_marks_the_latest_month(client) -> None:  # type: ignore[no-untyped-def]
    home = client.get("/").text  # the latest mature month by default, a link to the preliminary one
    assert "(preliminar)</strong>" not in home
    assert '<a href="?end=2024-06&amp;lang=es">junio de 2024 (preliminar)</a>' in home
    html = client.get("/?end=2024-06").text
    assert "<strong>junio de 2024 (preliminar)</strong>" in html
    assert "enero-junio de 2024 (mayo y junio preliminares)" in html  # May still lacks its 35-day lines
    assert "June 2024 (preliminary)" in client.get("/?end=2024-06&lang=en").text


def test_explorer_marks_the_period_and_the_month_picker(client) -> None:  # type: ignore[no-untyped-def]
    assert '<option value="2024-06">junio de 2024 (preliminar)</option>' in client.get("/explorer").text
    html = client.get("/explorer?end=2024-06").text
    assert '<option value="2024-06" selected>junio de 2024 (preliminar)</option>' in html
    assert '<option value="2024-03">marzo de 2024</option>' in html  # settled: not marked
    view = client.get("/explorer/view.json?end=2024-06&window=month").json()
    assert view["period"] == "junio de 2024 (junio preliminar)"
    assert client.get("/explorer/view.json?end=2024-03&window=month").json()["period"] == "marzo de 2024"


def test_region_page_marks_the_latest_month(client) -> None:  # type: ignore[no-untyped-def]
    assert "junio de 2024 (preliminar)" not in client.get("/region/13").text  # mature by default
    assert "junio de 2024 (preliminar)" in client.get("/region/13?end=2024-06").text
