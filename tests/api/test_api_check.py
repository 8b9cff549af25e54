"""``POST /api/v1/check``: a text in, its figures checked against the warehouse built from the mirror.

The figures of the texts are computed here from the API's own indicators (BCRP departments, 2022), so a
claim the check calls ``consistent`` is one the data reproduce. The bounds (body bytes, text characters),
the validation of every body field, the inert HTML answer and that nothing is written are tested on the
real app.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from comercio.api.check import MAX_BODY
from comercio.reports.fmt import Formatter
from comercio.service import MAX_CHECK_CHARS

URL = "/api/v1/check"


@pytest.fixture(scope="module")
def arequipa(client: TestClient) -> dict[str, Any]:
    """Arequipa's exports in 2022 (value and growth), as the API's indicators give them."""
    resp = client.get("/api/v1/indicators?window=year&end=2022-12&grouping=department&size=500")
    assert resp.status_code == 200, resp.text
    return next(r for r in resp.json()["rows"] if r["member"] == "04")


def release(row: dict[str, Any]) -> tuple[str, str]:
    """A release-style sentence with Arequipa's 2022 exports as the press prints them, and that figure."""
    printed = Formatter("es").money(row["value"])
    return f"En 2022, las exportaciones de Arequipa sumaron {printed}.", printed


def test_a_release_text_gives_counts_and_claims(client: TestClient, arequipa: dict[str, Any]) -> None:
    text, printed = release(arequipa)
    resp = client.post(URL, json={"text": text, "lang": "es", "published": "2023-02-15"})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["source"] == "api" and body["lang"] == "es" and body["published"] == "2023-02-15"
    claim = next(c for c in body["claims"] if c["printed"] == printed)
    a, b = claim["span"]
    assert text[a:b] == printed
    assert claim["subject"]["code"] == "04" and claim["measure"] == "value"
    assert claim["window"]["start"] == "2022-01" and claim["window"]["end"] == "2022-12"
    assert claim["computed"] == pytest.approx(arequipa["value"])
    assert claim["verdict"] == "consistent"
    assert claim["dataset"] and claim["vintage"]
    # every number of the text is a claim or a skipped number, and the counts say so
    assert body["counts"]["consistent"] >= 1 and body["counts"]["period"] >= 1
    assert sum(body["counts"].values()) == len(body["claims"]) + len(body["skipped"])
    assert any(s["printed"] == "2022" and s["kind"] == "period" for s in body["skipped"])


def test_a_wrong_figure_differs(client: TestClient, arequipa: dict[str, Any]) -> None:
    wrong = Formatter("es").money(arequipa["value"] * 1.2)
    text = f"En 2022, las exportaciones de Arequipa sumaron {wrong}."
    body = client.post(URL, json={"text": text}).json()
    claim = next(c for c in body["claims"] if c["printed"] == wrong)
    assert claim["verdict"] == "differs"
    assert claim["computed"] == pytest.approx(arequipa["value"])


def test_markdown_and_html_formats(client: TestClient, arequipa: dict[str, Any]) -> None:
    text, printed = release(arequipa)
    md = client.post(f"{URL}?format=md", json={"text": text})
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert printed in md.text and "|" in md.text
    page = client.post(f"{URL}?format=html", json={"text": text})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.lstrip().lower().startswith("<!doctype html>")
    assert 'class="ck-mark v-consistent"' in page.text and printed in page.text


def test_an_html_text_comes_back_inert(client: TestClient, arequipa: dict[str, Any]) -> None:
    text, _ = release(arequipa)
    hostile = f'<script>alert("x")</script> {text} <img src=x onerror="alert(1)"> \'; DROP TABLE t; --'
    page = client.post(f"{URL}?format=html", json={"text": hostile})
    assert page.status_code == 200, page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert" in page.text and "&lt;img src=x" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "En 2022 sumaron US$ 5 millones.", "lang": "fr"}, "lang"),
        ({"text": "En 2022 sumaron US$ 5 millones.", "published": "2025-02-30"}, "published"),
        ({"text": "En 2022 sumaron US$ 5 millones.", "published": "15/02/2025"}, "published"),
        ({"text": "En 2022 sumaron US$ 5 millones.", "published": 20250215}, "published"),
        ({"text": 2022}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": ""}, "text"),
        ({"lang": "es"}, "text"),
        ({"text": "x", "lang": None}, "lang"),
        ({"text": "x", "format": "md"}, "format"),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(client: TestClient, body: Any, field: str) -> None:
    resp = client.post(URL, json=body)
    assert resp.status_code == 422, resp.text
    out = resp.json()
    assert out["error"] == "ValidationError"
    assert out["detail"].startswith(f"{field}:"), out
    assert ["body", field] in [p["loc"] for p in out["problems"]]


def test_a_body_that_is_not_an_object_is_refused(client: TestClient) -> None:
    for content in (b"not json", b'["text"]', b'"text"'):
        resp = client.post(URL, content=content, headers={"content-type": "application/json"})
        assert resp.status_code == 422, (content, resp.text)
    assert client.post(f"{URL}?format=pdf", json={"text": "x"}).status_code == 422
    resp = client.post(f"{URL}?lines=3", json={"text": "x"})
    assert resp.status_code == 400 and resp.json()["field"] == "lines"


def test_a_too_long_text_is_refused_with_the_bound(client: TestClient) -> None:
    resp = client.post(URL, json={"text": "x" * (MAX_CHECK_CHARS + 1)})
    assert resp.status_code == 422
    assert resp.json()["detail"].startswith("text:") and str(MAX_CHECK_CHARS) in resp.json()["detail"]
    assert client.post(URL, json={"text": "y " * (MAX_CHECK_CHARS // 2)}).status_code == 200


def test_a_too_large_body_is_refused_before_it_is_read(client: TestClient) -> None:
    raw = json.dumps({"text": "x" * 10, "pad": " " * MAX_BODY}).encode()
    resp = client.post(URL, content=raw, headers={"content-type": "application/json"})
    assert resp.status_code == 413
    assert resp.json()["error"] == "PayloadTooLarge" and str(MAX_BODY) in resp.json()["detail"]

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        yield b'{"text": "'
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    resp = client.post(URL, content=chunks(), headers={"content-type": "application/json"})
    assert resp.status_code == 413, resp.text


def test_get_and_other_methods_are_not_allowed(client: TestClient) -> None:
    assert client.get(URL).status_code == 405
    for method in ("PUT", "PATCH", "DELETE"):
        resp = client.request(method, URL, json={"text": "x"})
        assert resp.status_code == 405 and resp.json()["error"] == "MethodNotAllowed"


def test_the_operation_is_documented(client: TestClient) -> None:
    op = client.get("/api/v1/openapi.json").json()["paths"][URL]["post"]
    assert op["summary"] and "not_checkable" in op["description"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/CheckBody")
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["CheckBody"]
    assert components["examples"][0]["text"].startswith("En 2022")
    assert components["properties"]["text"]["maxLength"] == MAX_CHECK_CHARS
    assert {"200", "413", "422", "503"} <= set(op["responses"])


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_a_check_writes_nothing(api_settings, tmp_path: Path, arequipa: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    from comercio.server import create_app

    c = TestClient(create_app(replace(api_settings, reports_dir=tmp_path), dashboard=False))
    before = _tree(api_settings.home)
    text, _ = release(arequipa)
    for fmt in ("json", "md", "html"):
        assert c.post(f"{URL}?format={fmt}", json={"text": text}).status_code == 200
    assert _tree(api_settings.home) == before
    assert list(tmp_path.iterdir()) == []


def test_a_check_kept_waiting_past_the_time_limit_is_a_503(api_settings) -> None:  # type: ignore[no-untyped-def]
    """Checks run one at a time; one that waits longer than ``query_timeout_s`` for the check before it
    gets a 503 saying so (the check before it is held here by taking the service's check lock)."""
    from comercio.server import create_app

    app = create_app(replace(api_settings, query_timeout_s=0.2), dashboard=False)
    c = TestClient(app, raise_server_exceptions=False)
    lock = app.state.service._check_lock
    assert lock.acquire(timeout=1)
    try:
        resp = c.post(URL, json={"text": "En 2022 sumaron US$ 5 millones."})
    finally:
        lock.release()
    assert resp.status_code == 503
    assert resp.json()["error"] == "WarehouseError" and "0.2 s" in resp.json()["detail"]
    assert c.post(URL, json={"text": "En 2022 sumaron US$ 5 millones."}).status_code == 200
