"""Child of the cluster tests: the regional set on the Spark engine the environment names, as JSON.

``python _facts_child.py THROUGH OUT``: writes every fact (id → value), the sections left out, a bounded and
an interrupted query (:func:`_bounds`) and, on a master (not Spark Connect), the application's id and master
and, from the driver's REST API, where the tasks ran (:func:`_cluster.evidence`). The warehouse is
``COMERCIO_HOME``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from _cluster import evidence

from comercio.config import Settings
from comercio.errors import WarehouseError
from comercio.indicators.regional import regional_facts
from comercio.warehouse import Warehouse


def main(through: str, out: Path) -> None:
    settings = Settings.from_env(engine="spark")
    wh = Warehouse(settings, read_only=True)
    rf = regional_facts(wh, through, engine="spark")
    answer: dict[str, object] = {
        "facts": {f.id: f.value for f in rf.facts},
        "omitted": sorted(rf.omitted),
    }
    answer.update(_bounds(wh))
    session = wh.backend("spark")._session
    if settings.spark_remote is None:
        sc = session.sparkContext
        answer.update(master=sc.master, app_id=sc.applicationId, ui=sc.uiWebUrl)
        if sc.uiWebUrl:  # the driver ends with this process: ask its REST API now
            answer.update(evidence(sc.uiWebUrl, sc.applicationId))
    else:
        answer["remote"] = settings.spark_remote
    out.write_text(json.dumps(answer, default=str), encoding="utf-8")
    session.stop()


def _bounds(wh: Warehouse) -> dict[str, Any]:
    """A bounded query (5 rows of the lines, cut and marked) and one interrupted at its 3 s deadline (a cross
    join of 4·10¹⁰ pairs): the deadline's job or session tags on this kind of session."""
    got = wh.execute_bounded(wh.table("customs_lines").select("flow"), limit=5)
    a = ibis.memtable(pa.table({"a": pa.array(range(200_000), pa.int64())}))
    b = ibis.memtable(pa.table({"b": pa.array(range(200_000), pa.int64())}))
    pairs = a.cross_join(b)
    began = time.monotonic()
    try:
        wh.execute_bounded(pairs.aggregate(s=(pairs.a * pairs.b).sum()), timeout=3.0)
        interrupted = None
    except WarehouseError as exc:
        interrupted = exc.reason
    return {
        "bounded": [got.table.num_rows, got.truncated],
        "interrupted": interrupted,
        "interrupt_s": round(time.monotonic() - began, 1),
    }


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
