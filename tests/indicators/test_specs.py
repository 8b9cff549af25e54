"""Specs are frozen, serialisable and validate themselves."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from comercio.errors import ConfigError
from comercio.indicators.specs import Comparison, Filters, Grouping, Spec, Window
from comercio.reference import dimensions


def test_windows() -> None:
    assert Window.ytd("2025-11").start == date(2025, 1, 1)
    assert Window.rolling12("2025-11").start == date(2024, 12, 1)
    assert Window.rolling12("2025-11").n_months == 12
    assert Window.month("2025-02").months() == [date(2025, 2, 1)]
    assert Window.range("2024-10", "2025-03").n_months == 6
    assert Comparison(2).window(Window.ytd("2025-11")) == Window.ytd("2023-11")


def test_specs_are_frozen_and_round_trip() -> None:
    spec = Spec(Window.ytd("2022-11"), Grouping("macroregion", "mincetur"))
    with pytest.raises(FrozenInstanceError):
        spec.window = Window.ytd("2021-11")  # type: ignore[misc]
    other = spec.with_filters(flow="M")
    assert other.filters.flow == "M" and spec.filters.flow == "X"
    w = Window.range("2024-10", "2025-03")
    assert Window.from_dict(w.as_dict()) == w
    assert spec.as_dict()["grouping"] == {"dimension": "macroregion", "scheme": "mincetur", "level": None}


@pytest.mark.parametrize(
    "make",
    [
        lambda: Window.ytd("2025-13"),
        lambda: Window.range("2025-05", "2025-01"),
        lambda: Grouping("province"),
        lambda: Filters(flow="Z"),
        lambda: Comparison(0),
    ],
)
def test_invalid_specs_are_refused(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError):
        make()


def test_groupings_are_the_registry_dimensions() -> None:
    assert [Grouping(name).dimension for name in dimensions.NAMES] == list(dimensions.NAMES)
    with pytest.raises(ConfigError, match="choose one of national, department, region_group"):
        Grouping("province")
