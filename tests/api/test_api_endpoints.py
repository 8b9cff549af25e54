"""The API through the real app: numbers match the engine, CSV matches JSON, errors are clear 4xx JSON."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

YTD = "/api/v1/indicators?end=2022-11&window=ytd&grouping=department"


def test_datasets_have_grain_and_vintages(client: TestClient) -> None:
    body = client.get("/api/v1/datasets").json()
    rows = {r["dataset"]: r for r in body["datasets"]}
    assert rows["bcrp_departments"]["grain"] == "flow × period × department"
    assert rows["bcrp_departments"]["last_month"] == "2022-12"
    one = client.get("/api/v1/datasets/bcrp_departments").json()
    assert one["grain_dimensions"] == ["flow", "period", "department"]
    assert one["vintage_list"] and one["vintage_list"][0]["rows"] > 0


def test_reference_tables_paginate_and_csv(client: TestClient) -> None:
    names = [t["name"] for t in client.get("/api/v1/reference").json()["tables"]]
    assert "departments" in names
    page = client.get("/api/v1/reference/departments?size=5&page=2").json()
    assert len(page["rows"]) == 5 and page["pagination"]["total_rows"] == 26
    assert page["rows"][0]["ubigeo"] == "06"
    text = client.get("/api/v1/reference/departments?format=csv").text
    assert len(list(csv.DictReader(io.StringIO(text)))) == 26


def test_indicators_match_the_engine(client: TestClient, api_settings) -> None:  # type: ignore[no-untyped-def]
    from comercio.indicators import engine, measures
    from comercio.indicators.specs import Filters, Grouping, Window
    from comercio.warehouse import Warehouse

    wh = Warehouse(api_settings, read_only=True)
    expected = measures.compare(engine.series(wh, Grouping("department"), Filters()), Window.ytd("2022-11"))
    body = client.get(YTD + "&facts=true").json()
    assert body["dataset"] == "bcrp_departments" and body["vintages"]
    assert body["total"]["value"] == pytest.approx(expected.total)
    assert body["total"]["growth"] == pytest.approx(expected.total_growth)
    lima = next(r for r in body["rows"] if r["member"] == "15")
    assert lima["label"] == "Lima"
    assert lima["value"] == pytest.approx(expected.row("15").value)
    assert lima["growth"] == pytest.approx(expected.row("15").growth)
    assert [r["rank"] for r in body["rows"]] == sorted(r["rank"] for r in body["rows"])
    fact = next(f for f in body["facts"] if f["id"] == "department.15.share")
    assert fact["unit"] == "fraction" and fact["window"]["start"] == "2022-01-01"


def test_csv_has_the_json_rows(client: TestClient) -> None:
    rows = client.get(YTD + "&size=500").json()["rows"]
    resp = client.get(YTD + "&format=csv")
    assert resp.headers["content-type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(resp.text)))
    assert [r["member"] for r in parsed] == [r["member"] for r in rows]
    for a, b in zip(parsed, rows, strict=True):
        assert float(a["value"]) == pytest.approx(b["value"])


def test_pagination_bounds(client: TestClient) -> None:
    body = client.get(YTD + "&size=10&page=3").json()
    assert body["pagination"]["pages"] == 3 and len(body["rows"]) == 6
    assert client.get(YTD + "&size=501").status_code == 422
    assert client.get(YTD + "&page=0").status_code == 422


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("end=2022-13", 422, "end"),
        ("end=2022-11&window=weekly", 422, "window"),
        ("end=2022-11&grouping=planet", 422, "grouping"),
        ("end=2022-11&window=range", 400, "start"),
        ("end=2022-11&window=year", 400, "YYYY-12"),
        ("end=2022-11&department=1", 400, "ubigeo"),
        ("end=2023-06", 404, "last loaded month"),
        ("end=2022-11&grouping=customs_office", 404, "customs_lines"),  # partners: G6 answers them now
    ],
)
def test_bad_requests_get_clear_4xx(client: TestClient, query: str, status: int, words: str) -> None:
    resp = client.get(f"/api/v1/indicators?{query}")
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) >= {"error", "detail"}
    assert words in body["detail"]


def test_series_are_monthly_and_bounded_to_the_window(client: TestClient) -> None:
    body = client.get("/api/v1/indicators/series?end=2022-11&window=ytd&grouping=national&size=500").json()
    assert body["rows"][0]["period"] == "2022-01"
    assert len(body["rows"]) == 11


def test_security_headers_and_no_cors_by_default(client: TestClient) -> None:
    resp = client.get(YTD, headers={"Origin": "https://example.org"})
    assert resp.headers["content-security-policy"].startswith("default-src 'self'")
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in resp.headers


def test_cors_when_configured(api_settings) -> None:  # type: ignore[no-untyped-def]
    from comercio.server import create_app

    c = TestClient(create_app(api_settings, cors_origins=["https://analista.pe"], dashboard=False))
    resp = c.get("/api/v1/health", headers={"Origin": "https://analista.pe"})
    assert resp.headers["access-control-allow-origin"] == "https://analista.pe"
    other = c.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_openapi_is_versioned_and_documented(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/indicators" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/indicators"]["get"]["parameters"]}
    assert {"end", "window", "grouping", "flow", "page", "size", "format"} <= params


def test_labels_follow_lang_and_facts_carry_codes_only(client: TestClient) -> None:
    q = "/api/v1/indicators?end=2022-11&window=ytd&grouping=macroregion&facts=true"
    es = {r["member"]: r["label"] for r in client.get(q + "&lang=es").json()["rows"]}
    body = client.get(q + "&lang=en").json()
    en = {r["member"]: r["label"] for r in body["rows"]}
    assert es["norte"] == "Norte" and en["norte"] == "North"
    assert all("label" not in f and "member_label" not in f for f in body["facts"])
    share = next(f for f in body["facts"] if f["id"] == "macroregion.norte.share")
    assert share["family"] == "{dimension}.{member}.share" and share["member"] == "norte"
    assert share["parts"] == {"dimension": "macroregion", "member": "norte"}
    assert body["units"]["value"] == "usd" and body["units"]["share"] == "fraction"


def test_groupings_are_the_dimension_registry(client: TestClient) -> None:
    from comercio.reference.dimensions import DIMENSIONS

    schema = client.get("/api/v1/openapi.json").json()
    params = schema["paths"]["/api/v1/indicators"]["get"]["parameters"]
    grouping = next(p for p in params if p["name"] == "grouping")
    ref = grouping["schema"].get("$ref") or grouping["schema"]["allOf"][0]["$ref"]
    enum = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"]
    assert enum == [d.name for d in DIMENSIONS if d.api]


def test_error_texts_follow_lang(client: TestClient) -> None:
    en = client.get("/api/v1/indicators?end=2022-11&window=range").json()["detail"]
    es = client.get("/api/v1/indicators?end=2022-11&window=range&lang=es").json()["detail"]
    assert "needs start" in en and "necesita start" in es


def test_a_cube_over_the_row_limit_is_503_not_a_partial_answer(api_settings) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from comercio.server import create_app

    c = TestClient(create_app(replace(api_settings, query_max_rows=10), dashboard=False))
    resp = c.get(YTD)
    assert resp.status_code == 503, resp.text
    assert "more than 10 rows" in resp.json()["detail"]
