"""Datasets with grain: the engine names the dataset it used, or refuses with a clear reason."""

from __future__ import annotations

import pytest

from comercio.errors import DataNotAvailable
from comercio.indicators import engine as eng
from comercio.indicators import measures
from comercio.indicators.specs import Filters, Grouping, Window


def test_customs_office_cannot_come_from_departmental_series(warehouse) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataNotAvailable, match="customs_office"):
        eng.series(warehouse, Grouping("customs_office"), Filters(), dataset="bcrp_departments")


def test_window_past_last_loaded_month(warehouse) -> None:  # type: ignore[no-untyped-def]
    s = eng.series(warehouse, Grouping("department"), Filters(), dataset="bcrp_departments")
    with pytest.raises(DataNotAvailable, match=r"runs past the last loaded month .*2022-12"):
        measures.compare(s, Window.ytd("2023-03"))


def test_comparison_window_with_no_data(warehouse) -> None:  # type: ignore[no-untyped-def]
    s = eng.series(warehouse, Grouping("department"), Filters(), dataset="bcrp_departments")
    with pytest.raises(DataNotAvailable, match="comparison window"):
        measures.compare(s, Window.ytd("2005-06"))


def test_engine_names_the_dataset_and_vintage(warehouse) -> None:  # type: ignore[no-untyped-def]
    s = eng.series(warehouse, Grouping("department"), Filters())
    assert s.dataset == "bcrp_departments"
    assert s.vintages and s.vintages[0].startswith("bcrp_departments/")
    assert not s.synthetic
