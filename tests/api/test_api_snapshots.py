"""Snapshots of the API JSON for a fixed query (`make snapshots` re-records them after a deliberate change).

Floats are kept to 10 significant digits, so the snapshot does not depend on the order DuckDB sums in.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from syrupy.assertion import SnapshotAssertion


def _stable(x: Any) -> Any:
    if isinstance(x, float):
        return float(f"{x:.10g}")
    if isinstance(x, dict):
        return {k: _stable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_stable(v) for v in x]
    if isinstance(x, tuple):  # the fact rows: a sum's last bits depend on the engine's order of addition
        return tuple(_stable(v) for v in x)
    return x


def test_indicators_json_of_a_fixed_query(client: TestClient, snapshot: SnapshotAssertion) -> None:
    body = client.get("/api/v1/indicators?end=2022-11&window=month&grouping=macroregion&lang=en").json()
    body.pop("vintages")  # vintage ids change with every build
    assert _stable(body) == snapshot


def test_facts_json_of_a_fixed_query(client: TestClient, snapshot: SnapshotAssertion) -> None:
    q = "/api/v1/indicators?end=2022-11&window=month&grouping=region_group&facts=true&size=1"
    facts = client.get(q).json()["facts"]
    one = next(f for f in facts if f["id"] == "region_group.interior.share")
    one.pop("vintages")  # vintage ids change with every build
    table = [(f["id"], f["family"], f["kind"], f["unit"], f["value"]) for f in facts]
    assert _stable({"one": one, "all": table}) == snapshot
