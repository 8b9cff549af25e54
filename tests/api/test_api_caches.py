"""The server's caches are keyed by the warehouse's current vintages: a commit is answered from at once,
and a writer that commits nothing invalidates nothing."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from comercio.api.middleware import ResponseCache
from comercio.server import create_app
from comercio.service import LRU
from comercio.warehouse import FileRef, Provenance, Warehouse


def test_the_lru_recomputes_when_the_version_changes() -> None:
    version = ["a"]
    computed: list[str] = []
    cache = LRU(8, 600.0, version=lambda: version[0])

    def compute() -> str:
        computed.append(version[0])
        return f"answer under {version[0]}"

    assert cache.get_or_compute("k", compute) == "answer under a"
    assert cache.get_or_compute("k", compute) == "answer under a"
    version[0] = "b"
    assert cache.get_or_compute("k", compute) == "answer under b"
    assert computed == ["a", "b"] and (cache.hits, cache.misses) == (1, 2)


def _app(version: Callable[[], Any]) -> tuple[TestClient, list[int]]:
    calls: list[int] = []
    inner = FastAPI()

    @inner.get("/x")
    def x() -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    inner.add_middleware(ResponseCache, paths=("/x",), version=version)
    return TestClient(inner), calls


def test_the_response_cache_serves_a_new_version_at_once() -> None:
    version = [("v1",)]
    client, calls = _app(lambda: version[0])
    assert client.get("/x").json() == {"n": 1}
    assert client.get("/x").json() == {"n": 1}  # cached
    version[0] = ("v2",)
    assert client.get("/x").json() == {"n": 2}
    assert client.get("/x").json() == {"n": 2}
    assert len(calls) == 2


def test_the_response_cache_replays_only_the_response() -> None:
    """A message another server adds (the test client's ``http.response.debug``) is not recorded, so a hit
    sends a real server nothing it cannot take."""

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.debug", "info": {}})
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})

    cache = ResponseCache(inner, paths=("/x",))
    scope = {"type": "http", "method": "GET", "path": "/x", "query_string": b""}
    sent: list[list[str]] = []

    async def run() -> None:
        for _ in range(2):
            sent.append([])

            async def send(message: Any) -> None:
                sent[-1].append(message["type"])

            await cache(scope, None, send)  # type: ignore[arg-type]

    asyncio.run(run())
    assert sent[0] == ["http.response.start", "http.response.debug", "http.response.body"]
    assert sent[1] == ["http.response.start", "http.response.body"]  # the cached answer


def test_the_service_follows_commits_of_another_writer(api_settings: Any, tmp_path: Path) -> None:
    """The running app's caches notice a commit made through another connection to the warehouse."""
    home = tmp_path / "home"
    shutil.copytree(api_settings.home, home)
    settings = replace(api_settings, home=home)
    client = TestClient(create_app(settings, dashboard=False))
    assert "bcrp_national" not in {r["dataset"] for r in client.get("/api/v1/datasets").json()["datasets"]}
    table = pa.table(
        {
            "flow": ["X"],
            "period": pa.array([date(2020, 1, 1)], pa.date32()),
            "value_usd": [1.0],
            "value_basis": ["FOB"],
            "source": ["t.csv"],
        }
    )
    prov = Provenance("test", (FileRef("t.csv", "a" * 64),), "test/1")
    Warehouse(settings).load("bcrp_national", "n", table, prov)
    assert "bcrp_national" in {r["dataset"] for r in client.get("/api/v1/datasets").json()["datasets"]}
