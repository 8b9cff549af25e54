"""The dashboard's latest month on a warehouse of BCRP's departments (to 2022) and weekly customs lines of
2025: the latest month any dataset holds, answered by one that holds it, mature by default; the preliminary
month stays selectable and marked (issue 14, item 4); where lines answer, the attribution coverage is said."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from comercio.config import Settings
from comercio.indicators import maturity
from comercio.warehouse import FileRef, Provenance, Warehouse, schema

_HELPER = Path(__file__).parents[1] / "indicators" / "_customs_lines.py"
_spec = importlib.util.spec_from_file_location("_customs_lines", _HELPER)
assert _spec is not None and _spec.loader is not None
lines = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lines)

AS_OF = date(2025, 6, 29)  # a Sunday: the last weekly file


def _lines() -> list[Any]:
    out = []
    for m in range(1, 7):
        for day, lag in ((5, 4), (12, 18), (20, 35)):
            shipped = date(2025, m, day)
            filed = shipped + timedelta(days=lag)
            if filed <= AS_OF:
                out += [("X", shipped, filed, "15", "producer_ubigeo", 60.0)]
                out += [("X", shipped, filed, "13", "ruc_register", 40.0)]  # another basis than 2024
    for m in range(1, 7):  # the same months of 2024, settled (for the growth rates)
        out += [("X", date(2024, m, 10), date(2024, m, 20), d, "producer_ubigeo", 50.0) for d in ("15", "13")]
    return out


def _bcrp(home: Path) -> None:
    rows = [
        {"flow": "X", "period": date(y, m, 1), "department": d, "region_basis": "source_table",
         "value_usd": 1e6, "value_basis": "FOB", "source": "bcrp.csv"}
        for y in (2021, 2022) for m in range(1, 13) for d in [*(f"{k:02d}" for k in range(1, 26)), "99"]
    ]  # fmt: skip
    spec = schema.get("bcrp_departments")
    table = pa.Table.from_pylist([{c: r[c] for c in spec.columns} for r in rows], schema=spec.schema)
    prov = Provenance("bcrp", (FileRef("bcrp.csv", "b" * 64),), "test/1")
    Warehouse(Settings(home=home)).load("bcrp_departments", "all", table, prov)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = lines.load_lines(tmp_path_factory.mktemp("web-latest"), _lines())
    _bcrp(home)
    return home


@pytest.fixture(scope="module")
def expected(home: Path) -> tuple[str, str]:
    """(latest mature month, latest month) of the lines, as the maturity module sees them."""
    young = maturity.preliminary_months(Warehouse(Settings(home=home), read_only=True), "X")
    assert young and young[-1] == date(2025, 6, 1)
    mature = max(m for m in (date(2025, k, 1) for k in range(1, 7)) if m not in young)
    return f"{mature:%Y-%m}", "2025-06"


@pytest.fixture(scope="module")
def client(home: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from comercio.server import create_app

    reports = tmp_path_factory.mktemp("web-latest-reports")
    return TestClient(create_app(Settings(home=home, reports_dir=reports)))


def test_the_service_answers_the_latest_month_of_any_dataset(home: Path, expected: tuple[str, str]) -> None:
    from comercio.indicators.specs import Grouping, Spec, Window
    from comercio.service import IndicatorService

    svc = IndicatorService(Settings(home=home))
    mature, newest = expected
    assert svc.latest_month() == mature  # not 2022-12, BCRP's last: the lines hold 2025
    assert svc.latest_month(mature=False) == newest
    assert svc.latest_month(dataset="bcrp_departments") == "2022-12"
    result = svc.indicator(Spec(Window.ytd(mature), Grouping("department")))
    assert result.dataset == "customs_lines" and result.total()["value"] > 0  # answered by a holder
    old = svc.indicator(Spec(Window.year(2022), Grouping("department")))
    assert old.dataset == "bcrp_departments"  # BCRP still ranks first for the months it holds
    assert svc.months()[:1] == [newest] and "2021-01" in svc.months()


def test_overview_shows_the_mature_month_and_links_the_preliminary_one(  # type: ignore[no-untyped-def]
    client, expected: tuple[str, str]
) -> None:
    from comercio.reports.fmt import Formatter

    mature, newest = expected
    fmt = Formatter("es")
    name = fmt.period(date.fromisoformat(f"{mature}-01"), date.fromisoformat(f"{mature}-01"))
    html = client.get("/").text
    assert f"<strong>{name}</strong>" in html and "2022" not in html.split("<strong>")[1][:40]
    assert f'<a href="?end={newest}&amp;lang=es">junio de 2025 (preliminar)</a>' in html
    chosen = client.get(f"/?end={newest}").text
    assert "<strong>junio de 2025 (preliminar)</strong>" in chosen and 'id="newer"' not in chosen
    young = "mayo y junio preliminares" if mature < "2025-05" else "junio preliminar"
    assert f"Variación, enero-junio de 2025 ({young})" in chosen  # the chart's title too


def test_explorer_defaults_to_the_mature_month_and_offers_every_month(  # type: ignore[no-untyped-def]
    client, expected: tuple[str, str]
) -> None:
    mature, newest = expected
    html = client.get("/explorer").text
    assert f'<option value="{mature}" selected>' in html
    assert f'<option value="{newest}">junio de 2025 (preliminar)</option>' in html
    assert '<option value="2022-12">diciembre de 2022</option>' in html  # BCRP's months stay selectable
    view = client.get(f"/explorer/view.json?end={newest}&window=month").json()
    assert view["period"] == "junio de 2025 (junio preliminar)" and view["total"] != "—"
    ytd = client.get(f"/explorer/view.json?end={newest}").json()["period"]  # every young month named
    young = "mayo y junio preliminares" if mature < "2025-05" else "junio preliminar"
    assert ytd == f"enero-junio de 2025 ({young})"


def test_pages_answered_by_lines_say_the_attribution_coverage(  # type: ignore[no-untyped-def]
    client, expected: tuple[str, str]
) -> None:
    from comercio.reports.fmt import Formatter

    mature, _ = expected
    fmt = Formatter("es")
    month = date.fromisoformat(f"{mature}-01")
    span, before = fmt.period(date(2025, 1, 1), month), fmt.period(date(2024, 1, 1), month.replace(year=2024))
    said = (
        f"Atribución por departamento: 100,0\u202f% del valor exportado en {span} tiene departamento "
        "(ubigeo del productor, 60,0\u202f%; domicilio fiscal del exportador (padrón RUC), 40,0\u202f%)"
    )
    apart = f"En {before} la cobertura era 100,0\u202f% (ubigeo del productor): las variaciones por región"
    for path in ("/", "/region/13"):
        html = client.get(path).text
        assert said in html and apart in html, path
    view = client.get(f"/explorer/view.json?end={mature}").json()
    assert view["coverage"].startswith(said) and apart in view["coverage"]
    assert client.get("/explorer/view.json?end=2022-12&window=year").json()["coverage"] == ""  # BCRP
    en = client.get("/?lang=en").text
    assert "Attribution by department: 100.0" in en and "compares different attribution bases" in en
