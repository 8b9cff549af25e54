"""Child of the cluster tests: the regional set on the Spark engine the environment names, as JSON.

``python _facts_child.py THROUGH OUT``: writes every fact (id → value), the sections left out and, on a master
(not Spark Connect), the application's id and master and, from the driver's REST API, where the tasks ran
(:func:`_cluster.evidence`). The warehouse is ``COMERCIO_HOME``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from _cluster import evidence

from comercio.config import Settings
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


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
