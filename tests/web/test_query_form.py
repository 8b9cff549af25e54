"""The query builder's form without a browser (no JavaScript): its URL is the query's, search hits are
links that add the filter, bad input and refusals are said in the page. Warehouse built from the mirror."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from comercio.query import Query


@pytest.fixture(scope="module")
def client(web_app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(web_app, raise_server_exceptions=False)


def test_a_submitted_form_lands_on_the_query_own_url(client: TestClient) -> None:
    form = (
        "/consultas?lang=es&flow=X&from=2005-01&to=2022-12&freq=year&by=department&by=&by="
        "&where=department%3D04&buscar=&tipo=product&where=&measures=value&measures=share&compare=&base="
    )
    resp = client.get(form, follow_redirects=False)
    assert resp.status_code == 303
    target = resp.headers["location"]
    q = Query(start="2005-01", end="2022-12", by=("department",), where=(("department", ("04",)),))
    assert parse_qsl(urlsplit(target).query) == q.with_(measures=("value", "share")).to_params()
    page = client.get(target)
    assert page.status_code == 200
    assert page.text.count("<tr>") == 19  # header and 18 years
    assert "Arequipa" in page.text and "BCRP" in page.text


def test_search_hits_are_links_adding_the_filter(client: TestClient) -> None:
    page = client.get("/consultas?from=2023-01&to=2025-04&freq=month&buscar=palta&tipo=product")
    assert page.status_code == 200
    links = [unescape(h) for h in re.findall(r'<a href="([^"]+)" data-code="080440"', page.text)]
    assert links, "no link for 0804.40"
    asked = parse_qsl(urlsplit(links[0]).query)
    assert ("where", "hs6=080440") in asked and ("from", "2023-01") in asked


def test_bad_input_and_refusals_are_said_in_the_page(client: TestClient) -> None:
    bad = client.get("/consultas?from=2023-01&to=2022-12")
    assert bad.status_code == 422 and 'id="q-error"' in bad.text and "<strong>from</strong>" in bad.text
    refused = client.get(
        "/consultas?flow=X&from=2022-01&to=2022-12&freq=year&by=customs_office&measures=value&lang=en"
    )
    assert refused.status_code == 200 and 'id="q-refused"' in refused.text
    assert "sunat-microdata" in refused.text and 'id="q-table"' not in refused.text
    assert "It would be answered by" in refused.text
