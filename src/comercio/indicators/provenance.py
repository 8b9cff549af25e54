"""Facts about where figures come from: for each dataset used, the date its current vintage was obtained from
the publisher and the months that vintage covers (its last month is the cut-off).

The date is the vintage's ``retrieved_at`` (else the day it was loaded): a date a reader can cite, never the
vintage id with its ingestion timestamp.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from comercio.indicators.facts import Fact, make
from comercio.indicators.specs import Window
from comercio.warehouse import Warehouse


def vintage_facts(
    wh: Warehouse, used: Mapping[str, Iterable[str]], months: Mapping[str, Iterable[date]]
) -> list[Fact]:
    """One ``source.{dataset}.vintage`` fact per dataset of ``used`` (dataset → vintage ids) with loaded
    ``months`` (dataset → months seen)."""
    out = []
    for dataset, ids in used.items():
        chosen = set(ids)
        seen = sorted(months.get(dataset, ()))
        vintages = [v for v in wh.vintages(dataset) if v.vintage in chosen]
        if not seen or not vintages:
            continue
        out.append(
            make(
                "source.{dataset}.vintage",
                max((v.retrieved_at or v.loaded_at)[:10] for v in vintages),
                parts={"dataset": dataset},
                window=Window.range(seen[0], seen[-1]).as_dict(),
                dataset=dataset,
                vintages=sorted(chosen),
                synthetic=any(v.synthetic for v in vintages),
            )
        )
    return out
