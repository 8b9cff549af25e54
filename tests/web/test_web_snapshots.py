"""Snapshot of the dashboard's table HTML for a fixed query (``make snapshots`` after a deliberate change)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from syrupy.assertion import SnapshotAssertion


def test_explorer_table_html(web_app, snapshot: SnapshotAssertion) -> None:  # type: ignore[no-untyped-def]
    q = "/explorer?end=2022-11&window=month&grouping=natural_region&lang=es"
    html = TestClient(web_app).get(q).text
    table = re.search(r'<table id="table">.*?</table>', html, re.S)
    assert table is not None
    assert re.sub(r"\n\s*", "\n", table.group(0)) == snapshot
