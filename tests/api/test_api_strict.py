"""Every parameter is checked: inapplicable or repeated ones are 400s naming them, odd inputs are 4xx (not
500), HEAD is answered wherever GET is, and no error names an install path or a process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

IND = "/api/v1/indicators?end=2022-11"


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("&grouping=department&scheme=adex", "scheme", "scheme does not apply to grouping=department"),
        ("&grouping=national&scheme=mincetur", "scheme", "scheme does not apply"),
        ("&grouping=department&level=2", "level", "level does not apply to grouping=department"),
        ("&grouping=macroregion&level=1", "level", "only to sector"),
        ("&grouping=department&basket_path=Mineros", "basket_path", "basket_path needs basket="),
        ("&flow=X&flow=M", "flow", "parameter flow appears 2 times"),
        ("&window=ytd&window=month", "window", "parameter window appears 2 times"),
        ("&end=2022-10", "end", "parameter end appears 2 times"),
        ("&flwo=M", "flwo", "parameter flwo is not used here; accepted: basket, basket_path, comparison"),
    ],
)
def test_inapplicable_and_repeated_parameters_are_400(
    client: TestClient, query: str, field: str, words: str
) -> None:
    resp = client.get(IND + query)
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["field"] == field and words in body["detail"]


def test_parameters_a_route_does_not_take_are_400(client: TestClient) -> None:
    resp = client.get("/api/v1/indicators/series?end=2022-11&facts=true")
    assert resp.status_code == 400 and resp.json()["field"] == "facts"
    resp = client.get("/api/v1/datasets?page=2&lang=es")
    assert resp.status_code == 400 and "el parámetro page no se usa aquí; se admiten: lang" in resp.text
    assert "el conjunto de datos" in client.get("/api/v1/datasets/nothing?lang=es").json()["detail"]


def test_applicable_ones_still_work(client: TestClient) -> None:
    assert client.get(IND + "&grouping=macroregion&scheme=adex").status_code == 200
    assert client.get(IND + "&department=15&department=04&grouping=department").status_code == 200
    repeated = client.get(IND + "&flow=X&flow=M&lang=es").json()["detail"]
    assert "el parámetro flow aparece 2 veces" in repeated


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/api/v1/indicators?end=0001-06&window=rolling12", "end"),
        ("/api/v1/indicators?end=0001-03&window=ytd", "comparison_years"),
        ("/api/v1/indicators/series?end=0001-01&window=rolling12", "end"),
        ("/api/v1/indicators?end=0003-12&window=year&comparison_years=5", "comparison_years"),
    ],
)
def test_windows_before_year_one_are_400(client: TestClient, query: str, field: str) -> None:
    resp = client.get(query)
    assert resp.status_code == 400, resp.text
    assert resp.json()["field"] == field


def test_head_is_answered_on_get_routes(client: TestClient) -> None:
    for path in ("/api/v1/health", "/api/v1/datasets", IND, "/api/v1/reports", "/"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
    assert client.head("/api/v1/datasets/nothing").status_code == 404


def _no_install_path(text: str, roots: list[str]) -> None:
    for root in roots:
        assert root not in text
    assert f"PID {os.getpid()}" not in text and "PID" not in text


def test_errors_never_name_install_paths(client: TestClient, api_settings, reports_dir: Path) -> None:  # type: ignore[no-untyped-def]
    import comercio

    roots = [
        str(Path(api_settings.home).resolve()),
        str(reports_dir.resolve()),
        str(Path(comercio.__file__).parent),
        str(Path.cwd()),
    ]
    for url in (
        "/api/v1/datasets/nothing",
        "/api/v1/reference/nothing",
        "/api/v1/reports/files/nothing.md",
        "/api/v1/indicators?end=2022-11&dataset=world_trade",
        "/api/v1/indicators?end=2022-11&grouping=customs_office",
        "/api/v1/indicators?end=2022-11&basket=zzz",
        "/api/v1/indicators?end=2022-11&grouping=macroregion&scheme=zzz",
        "/api/v1/nothing",
    ):
        resp = client.get(url)
        assert 400 <= resp.status_code < 500, (url, resp.text)
        _no_install_path(resp.text, roots)
