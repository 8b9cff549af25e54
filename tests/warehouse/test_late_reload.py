"""A line's visibility must not depend on the order its files were loaded in, even after a reload
(docs/decisions/0017-weekly-microdata-archive.md, addendum "late records and reloads").

A "late" record lists a line of the file being loaded that a later file, loaded before it, already
superseded. Once the superseding row is no longer current (its slice re-sent without it), the record no longer
applies: nothing current supersedes the line any more.
"""

from __future__ import annotations

from itertools import permutations
from pathlib import Path

import pytest
from test_revisions import WEEK_1, WEEK_2, WEEK_3, current, decl, load

from comercio.config import Settings
from comercio.warehouse import Warehouse

K, OTHER = decl(1), decl(2)


def _home(tmp_path: Path, engine: str, name: str) -> Warehouse:
    return Warehouse(Settings(home=tmp_path / name, engine=engine))


@pytest.mark.parametrize("order", ["newer-first", "older-first"])
def test_a_reload_without_the_superseding_line_shows_the_older_one(
    tmp_path: Path, engine: str, order: str
) -> None:
    wh = _home(tmp_path, engine, order)
    weeks = [
        (
            "w2.zip",
            WEEK_3,
            [{"declaration": K, "value_usd": 200.0}, {"declaration": OTHER, "value_usd": 5.0}],
        ),
        ("w3.zip", WEEK_1, [{"declaration": K, "value_usd": 100.0}]),
    ]
    for file, when, rows in weeks if order == "newer-first" else weeks[::-1]:
        load(wh, file, when, rows)
    assert current(wh, engine)[("X", K, 1)] == (200.0, "w2.zip")
    # w2 re-sent without K: nothing current supersedes w3's K any more
    load(wh, "w2.zip", WEEK_3, [{"declaration": OTHER, "value_usd": 5.0}], parser="2")
    assert current(wh, engine) == {("X", K, 1): (100.0, "w3.zip"), ("X", OTHER, 1): (5.0, "w2.zip")}


@pytest.mark.parametrize("order", list(permutations(["a.zip", "b.zip", "c.zip"])), ids="-".join)
def test_three_files_any_order_then_the_newest_resent_without_the_line(
    tmp_path: Path, engine: str, order: tuple[str, ...]
) -> None:
    wh = _home(tmp_path, engine, "home")
    weeks = {"a.zip": (WEEK_1, 1.0), "b.zip": (WEEK_2, 2.0), "c.zip": (WEEK_3, 3.0)}
    for file in order:
        when, value = weeks[file]
        load(
            wh, file, when, [{"declaration": K, "value_usd": value}, {"declaration": file, "value_usd": 0.5}]
        )
    assert current(wh, engine)[("X", K, 1)] == (3.0, "c.zip")
    load(wh, "c.zip", WEEK_3, [{"declaration": "c.zip", "value_usd": 0.5}], parser="2")
    assert current(wh, engine) == {
        ("X", K, 1): (2.0, "b.zip"),
        **{("X", f, 1): (0.5, f) for f in weeks},
    }
