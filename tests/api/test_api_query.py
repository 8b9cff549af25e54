"""``GET /api/v1/query`` and ``GET /api/v1/search`` on the warehouse built from the mirror (official data).

Figures are checked against the indicators endpoint (another path through the engine), refusals and bad
parameters against what they must name, and the downloads by reading them back (CSV text, XLSX through
openpyxl).
"""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

AREQUIPA = "/api/v1/query?flow=X&from=2005-01&to=2022-12&freq=year&by=department&where=department=04"


def test_arequipa_by_year_matches_the_indicators(client: TestClient) -> None:
    body = client.get(AREQUIPA + "&measures=value,share").json()
    assert body["dataset"] == "bcrp_departments" and body["synthetic"] is False
    assert body["periods"] == [str(y) for y in range(2005, 2023)] and body["partial"] == []
    assert [c["key"] for c in body["columns"]] == [
        "department",
        "department_label",
        "period",
        "value",
        "share",
    ]
    rows = {r["period"]: r for r in body["rows"]}
    assert set(rows) == set(body["periods"]) and {r["department"] for r in body["rows"]} == {"04"}
    for year in (2005, 2015, 2022):
        ind = client.get(
            f"/api/v1/indicators?window=year&end={year}-12&grouping=department&size=500&comparison_years=0"
        ).json()
        expected = next(r for r in ind["rows"] if r["member"] == "04")
        assert rows[str(year)]["value"] == pytest.approx(expected["value"], rel=1e-9)
        assert rows[str(year)]["share"] == pytest.approx(expected["share"], rel=1e-9)
    assert body["url"] == "/api/v1/query?" + body["url"].split("?", 1)[1]
    again = client.get(body["url"]).json()  # the URL it gives reproduces it
    assert again["rows"] == body["rows"]


def test_where_is_repeatable_and_other_parameters_are_not(client: TestClient) -> None:
    both = client.get(AREQUIPA + "&where=department=15&measures=value")
    assert both.status_code == 200
    assert {r["department"] for r in both.json()["rows"]} == {"04", "15"}
    twice = client.get(AREQUIPA + "&flow=M")
    assert twice.status_code == 400 and "flow" in twice.json()["detail"]
    unknown = client.get(AREQUIPA + "&grouping=department")
    assert unknown.status_code == 400 and unknown.json()["field"] == "grouping"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2022-13&to=2022-12", "from"),
        ("from=2023-01&to=2022-12", "from"),
        ("from=2022-01&to=2022-12&measures=value,weight", "measures"),
        ("from=2022-01&to=2022-12&by=department,partner,hs6,product", "by"),
        ("from=2022-01&to=2022-12&where=department", "where"),
        ("from=2022-01&to=2022-12&freq=week", "freq"),
        ("from=2022-01&to=2022-12&compare=0", "compare"),
        ("from=2022-01&to=2022-12&flow=Z", "flow"),
    ],
)
def test_a_bad_parameter_is_a_422_naming_it(client: TestClient, query: str, field: str) -> None:
    resp = client.get(f"/api/v1/query?{query}")
    assert resp.status_code == 422, resp.text
    body = resp.json()
    named = body.get("field") or " ".join(".".join(p["loc"]) for p in body.get("problems", []))
    assert field in named, body
    assert "/" not in body["detail"].replace("US$/kg", "")  # no path of this machine


def test_a_cut_no_loaded_data_answers_says_which_would(client: TestClient) -> None:
    resp = client.get("/api/v1/query?flow=X&from=2022-01&to=2022-12&by=customs_office")
    assert resp.status_code == 404, resp.text
    body = resp.json()
    assert body["error"] == "QueryRefused" and body["reason"] and body["would_answer"]
    assert "customs" in (body["reason"] + body["would_answer"]).lower() or "aduana" in body["reason"].lower()


def test_csv_download_is_the_json_result(client: TestClient) -> None:
    body = client.get(AREQUIPA + "&measures=value").json()
    resp = client.get(AREQUIPA + "&measures=value&format=csv")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    head = [h.lower() for h in rows[0]]
    assert any("us$" in h for h in head)  # units in the header
    value_at = next(i for i, h in enumerate(head) if "us$" in h)
    period_at = next(i for i, h in enumerate(head) if h.startswith("periodo"))
    got = {r[period_at]: float(r[value_at]) for r in rows[1:] if r}
    assert got == pytest.approx({r["period"]: r["value"] for r in body["rows"]}, rel=1e-9)


def test_xlsx_download_wide_in_english(client: TestClient) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    resp = client.get(AREQUIPA + "&measures=value&wide=true&lang=en&format=xlsx")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(resp.content), read_only=True)
    assert len(book.sheetnames) >= 2  # the data and the query with its sources
    data = [list(r) for r in book[book.sheetnames[0]].iter_rows(values_only=True)]
    header = next(r for r in data if any(isinstance(c, str) and "2005" in c for c in r))
    row = data[data.index(header) + 1]
    assert "04" in row  # codes kept as text
    numbers = [c for c in row if isinstance(c, int | float)]
    assert len(numbers) == 18  # one value per year, as numbers
    json_rows = client.get(AREQUIPA + "&measures=value").json()["rows"]
    assert numbers == pytest.approx([r["value"] for r in json_rows], rel=1e-9)


def test_search_finds_a_partner_by_name(client: TestClient) -> None:
    resp = client.get("/api/v1/search?q=chile&kind=partner&lang=es")
    assert resp.status_code == 200, resp.text
    assert "CL" in [h["code"] for h in resp.json()["hits"]]
    assert client.get("/api/v1/search?q=&kind=partner").status_code == 422
    assert client.get("/api/v1/search?q=chile&kind=planet").status_code == 422


def test_the_new_endpoints_are_documented(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    params = {p["name"] for p in paths["/api/v1/query"]["get"]["parameters"]}
    assert {"flow", "from", "to", "freq", "by", "where", "measures", "compare", "base", "dataset"} <= params
    assert {"wide", "lang", "format"} <= params
    assert paths["/api/v1/query"]["get"]["summary"] and paths["/api/v1/search"]["get"]["summary"]


def test_search_finds_avocado_by_its_spanish_name(client: TestClient) -> None:
    hits = client.get("/api/v1/search?q=palta&kind=product&lang=es").json()["hits"]
    assert any(h["code"] == "080440" and h["dimension"] == "hs6" for h in hits), hits
