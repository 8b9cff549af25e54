"""UN Comtrade client: the real retry, cache, resume and empty-answer logic, with a scripted ``_call``.

There is no network here, so the one call into ``comtradeapicall`` is replaced by a function that answers
like the package does: a DataFrame, an empty DataFrame, ``None`` after an HTTP error (the package prints
the error and returns nothing) or an exception.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from comercio.errors import ConfigError, DownloadError, SourceError
from comercio.sources.comtrade import MAX_RECORDS, fetch_comtrade
from comercio.warehouse.schema import WORLD_TRADE

ENV = {"COMTRADE_API_KEY": "k-123"}


def answer(year: int, flow: str, rows: list[tuple[str, str, str, float, float | None]]) -> pd.DataFrame:
    """A Comtrade final-data answer: (partnerCode, partnerISO, cmdCode, primaryValue, netWgt kg) per row."""
    return pd.DataFrame(
        {
            "refYear": [year] * len(rows),
            "reporterCode": [604] * len(rows),
            "reporterISO": ["PER"] * len(rows),
            "partnerCode": [int(r[0]) for r in rows],
            "partnerISO": [r[1] for r in rows],
            "flowCode": [flow] * len(rows),
            "cmdCode": [r[2] for r in rows],
            "classificationCode": ["H6"] * len(rows),
            "primaryValue": [r[3] for r in rows],
            "netWgt": [r[4] for r in rows],
            "cmdDesc": ["…"] * len(rows),
        }
    )


class Script:
    """Answers in order, recording the calls (key and parameters) it receives."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, key: str, **params: Any) -> pd.DataFrame | None:
        self.calls.append((key, params))
        item = self.answers.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item  # type: ignore[no-any-return]


def run(script: Callable[..., Any], tmp_path: Path, sleeps: list[float] | None = None, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "reporter": 604,
        "flow": "X",
        "years": [2023],
        "hs_codes": ["73"],
        "max_retries": 3,
    }
    args.update(kw)
    return fetch_comtrade(
        **args,
        cache_dir=tmp_path / "cache",
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        _call=script,
        env=ENV,
    )


def test_maps_exports_and_skips_world_and_other_chapters(tmp_path: Path) -> None:
    rows = [
        ("0", "W00", "730890", 900.0, 100.0),
        ("842", "USA", "730890", 500.0, 2500.0),
        ("152", "CHL", "731815", 40.0, None),
        ("156", "CHN", "260300", 9e9, 1.0),
    ]
    df = answer(2023, "X", rows)
    script = Script(df)
    result = run(script, tmp_path)
    assert result.table.schema == WORLD_TRADE.schema
    src = result.table["source"][0].as_py()
    assert "reporter=604" in src
    base = {"year": 2023, "exporter": "PER", "hs_version": "HS22", "synthetic": False, "source": src}
    assert result.table.to_pylist() == [
        {**base, "importer": "USA", "hs6": "730890", "value_usd": 500.0, "quantity_t": 2.5},
        {**base, "importer": "CHL", "hs6": "731815", "value_usd": 40.0, "quantity_t": None},
    ]
    assert result.world_rows == 1
    key, params = script.calls[0]
    assert key == "k-123"
    assert (params["reporterCode"], params["flowCode"], params["period"], params["cmdCode"]) == (
        "604",
        "X",
        "2023",
        "AG6",
    )


def test_imports_swap_exporter_and_importer(tmp_path: Path) -> None:
    script = Script(answer(2023, "M", [("156", "CHN", "847130", 7.0, 1.0)]))
    table = run(script, tmp_path, flow="M", hs_codes=["847130"]).table
    assert (table["exporter"][0].as_py(), table["importer"][0].as_py()) == ("CHN", "PER")
    assert script.calls[0][1]["cmdCode"] == "847130"


def test_retries_with_exponential_backoff(tmp_path: Path) -> None:
    ok = answer(2023, "X", [("842", "USA", "730890", 1.0, 1.0)])
    script = Script(None, ConnectionError("reset"), SystemExit("network down"), ok)
    sleeps: list[float] = []
    result = run(script, tmp_path, sleeps=sleeps, base_delay=2.0)
    assert result.table.num_rows == 1 and result.fetched == 1
    assert sleeps == [2.0, 4.0, 8.0]
    assert len(script.calls) == 4


def test_gives_up_after_max_retries(tmp_path: Path) -> None:
    script = Script(None, None, None)
    with pytest.raises(DownloadError, match=r"failed after 3 attempts .*HTTP 429") as err:
        run(script, tmp_path, max_retries=2)
    assert err.value.url is not None and "reporter=604" in err.value.url


def test_cache_and_resume(tmp_path: Path) -> None:
    first = Script(answer(2022, "X", [("842", "USA", "730890", 1.0, 1.0)]), None, None, None, None)
    with pytest.raises(DownloadError):  # 2022 arrives, then 2023 keeps failing: the run stops
        run(first, tmp_path, years=[2022, 2023])
    second = Script(answer(2023, "X", [("842", "USA", "730890", 2.0, 1.0)]))
    sleeps: list[float] = []
    result = run(second, tmp_path, years=[2022, 2023], sleeps=sleeps)
    assert (result.cached, result.fetched) == (1, 1)
    assert [c[1]["period"] for c in second.calls] == ["2023"]  # 2022 came from the cache
    assert result.table["value_usd"].to_pylist() == [1.0, 2.0]
    third = Script()
    assert run(third, tmp_path, years=[2022, 2023]).cached == 2 and third.calls == []


def test_waits_between_requests(tmp_path: Path) -> None:
    script = Script(*(answer(y, "X", [("842", "USA", "730890", 1.0, 1.0)]) for y in (2021, 2022, 2023)))
    sleeps: list[float] = []
    run(script, tmp_path, years=[2021, 2022, 2023], sleeps=sleeps, min_interval=1.5)
    assert sleeps == [1.5, 1.5]


def test_empty_answer_is_explained(tmp_path: Path) -> None:
    with pytest.raises(
        SourceError, match="no rows for reporter 604, flow X, 2024, HS 73: the reporter may not"
    ):
        run(Script(pd.DataFrame()), tmp_path, years=[2024])
    partly = run(Script(answer(2023, "X", [("842", "USA", "730890", 1.0, 1.0)]), pd.DataFrame()), tmp_path,
                 years=[2023, 2024])  # fmt: skip
    assert partly.table.num_rows == 1
    assert len(partly.empty) == 1 and "2024" in partly.empty[0]


def test_truncated_answer_refused(tmp_path: Path) -> None:
    big = answer(2023, "X", [("842", "USA", "730890", 1.0, 1.0)] * MAX_RECORDS)
    with pytest.raises(SourceError, match="truncated"):
        run(Script(big), tmp_path)


def test_missing_key_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MY_KEY") as err:
        fetch_comtrade(604, "X", [2023], ["73"], key_env="MY_KEY", cache_dir=tmp_path, _call=Script(), env={})
    assert err.value.field == "MY_KEY"


def test_missing_package_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "comtradeapicall", None)  # import now raises ImportError
    with pytest.raises(SourceError, match="install comercio\\[world\\]"):
        fetch_comtrade(604, "X", [2023], ["73"], cache_dir=tmp_path, env=ENV)


@pytest.mark.parametrize(("kw", "field"), [({"flow": "Z"}, "flow"), ({"hs_codes": ["7"]}, "hs_codes")])
def test_bad_arguments(tmp_path: Path, kw: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as err:
        run(Script(), tmp_path, **kw)
    assert err.value.field == field
