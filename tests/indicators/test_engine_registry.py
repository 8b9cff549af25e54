"""The engine reads the dimension registry and the datasets' declared quirks, and names neither in its code.

Every dimension is checked on a hand-made warehouse (a few customs lines, a SUNAT tree, BCRP departments)
against sums written out by hand, on each engine; adding a dimension is shown to be one registry row.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, get_args

import pyarrow as pa
import pytest

from comercio.config import Settings
from comercio.errors import DataNotAvailable
from comercio.indicators import datasets
from comercio.indicators import engine as eng
from comercio.indicators.specs import Filters, Grouping
from comercio.reference import dimensions
from comercio.reference.dimensions import DIMENSIONS, Derive, Dimension
from comercio.warehouse import FileRef, Provenance, Warehouse, schema

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)
SRC = Path(eng.__file__).parent

# flow, period, customs office, department, partner, product, value
LINES = [
    ("X", JAN, "118", "15", "US", "0901119000", 100.0),  # café (Tradicionales > Agrícolas)
    ("X", JAN, "172", "04", "CN", "2603000000", 200.0),  # cobre (Tradicionales > Mineros)
    ("X", FEB, "118", "13", "US", "0806100000", 50.0),  # uva (No Tradicionales > Agropecuario)
    ("X", FEB, "019", "99", "DE", "8474200000", 25.0),  # machinery (No Tradicionales > Metal-mecánico)
    ("M", JAN, "118", "15", "CN", "8474200000", 1000.0),
]
# table, flow, path, level, value (January)
TREE = [
    ("G1", "X", "Total", 0, 1000.0),
    ("G1", "X", "Tradicionales", 1, 700.0),
    ("G1", "X", "Tradicionales > Mineros", 2, 600.0),
    ("G1", "X", "Tradicionales > Pesqueros", 2, 100.0),
    ("G1", "X", "No Tradicionales", 1, 300.0),
    ("G1", "X", "No Tradicionales > Textil", 2, 300.0),
    ("F1", "M", "Total", 0, 900.0),
    ("F1", "M", "Bienes de consumo", 1, 900.0),
]


def _table(spec: schema.DatasetSpec, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist([{c: r.get(c) for c in spec.columns} for r in rows], schema=spec.schema)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("registry")
    wh = Warehouse(Settings(home=home))
    prov = Provenance("test", (FileRef("hand.csv", "b" * 64),), "test/1")
    common = {"value_basis": "FOB", "source": "hand.csv", "synthetic": False}
    lines = [
        {
            **common,
            "flow": f,
            "date": p,
            "period": p,
            "declaration": str(i),
            "series": 1,
            "customs_office": o,
            "department": d,
            "region_basis": "producer_ubigeo",
            "partner": c,
            "product": code,
            "hs6": code[:6],
            "hs_version": "2022",
            "value_usd": v,
        }
        for i, (f, p, o, d, c, code, v) in enumerate(LINES)
    ]
    wh.load("customs_lines", "all", _table(schema.CUSTOMS_LINES, lines), prov)
    tree = [
        {**common, "table": t, "flow": f, "path": p, "level": lv, "sector": p, "period": JAN, "value_usd": v}
        for t, f, p, lv, v in TREE
    ]
    wh.load("sunat_cuadros", "all", _table(schema.SUNAT_CUADROS, tree), prov)
    deps = [
        {
            **common,
            "flow": "X",
            "period": JAN,
            "department": d,
            "region_basis": "source_table",
            "value_usd": v,
        }
        # every department must be present (the load contract); only two export anything
        for d, v in {
            **dict.fromkeys(dimensions.member_names("department", "es"), 0.0),
            "15": 10.0,
            "04": 20.0,
        }.items()
    ]
    wh.load("bcrp_departments", "all", _table(schema.BCRP_DEPARTMENTS, deps), prov)
    return home


@pytest.fixture
def wh(home: Path, engine: str) -> Warehouse:
    return Warehouse(Settings(home=home, engine=engine), read_only=True)


def _values(wh: Warehouse, grouping: Grouping, filters: Filters = Filters(), **kw: Any) -> dict[Any, float]:
    s = eng.series(wh, grouping, filters, engine=wh.settings.engine, **kw)
    return {(r["member"], r["period"].month): r["value"] for r in s.rows()}


def _lines(wh: Warehouse, grouping: Grouping, filters: Filters = Filters()) -> dict[Any, float]:
    return _values(wh, grouping, filters, dataset="customs_lines")


# -- the registry and the engine agree ------------------------------------------------------------------


def test_every_derive_kind_is_compiled_by_one_function() -> None:
    assert set(eng.DERIVE) == set(get_args(Derive))


def test_every_dimension_is_computed_from_a_canonical_column() -> None:
    for d in DIMENSIONS:
        assert d.needs is None or d.needs in schema.COLUMN_TYPES, d.name
        assert Grouping(d.name).dimension == d.name
    assert eng.CUBE_COLUMNS == (
        "period", "department", "customs_office", "partner", "sector", "product", "transport_mode"
    )  # fmt: skip
    assert {"partner", "transport_mode"} == eng.ON_DEMAND


def test_no_dataset_is_named_in_the_engine_or_the_chooser() -> None:
    for module in ("engine.py", "datasets.py"):
        code = (SRC / module).read_text(encoding="utf-8")
        for name in schema.DATASETS:
            assert f'"{name}"' not in code, (module, name)


def test_dataset_quirks_are_declared() -> None:
    assert datasets.preference() == (
        "bcrp_departments",
        "sunat_cuadros",
        "infotrade",
        "customs_lines",
        "sunat_destinations",  # G6 answers exports by partner only where no line dataset is loaded
    )
    assert not datasets.provides("sunat_destinations", "partner", "M")  # exports only
    assert datasets.provides("bcrp_departments", "department", "X")
    assert not datasets.provides("bcrp_departments", "department", "M")  # exports only
    assert datasets.provides("customs_lines", "sector", "X")  # baskets classify its products
    assert not datasets.provides("bcrp_departments", "sector", "X")
    assert eng.cube_columns(schema.SUNAT_CUADROS) == ("path", "level", "sector", "period")
    assert "partner" in eng.cube_columns(schema.CUSTOMS_LINES, eng.ON_DEMAND)
    assert "partner" not in eng.cube_columns(schema.CUSTOMS_LINES)


# -- every dimension on a hand-made warehouse ------------------------------------------------------------


def test_dataset_choice_follows_rank_flows_and_flow_tables(wh: Warehouse) -> None:
    assert _values(wh, Grouping("national")) == {(eng.TOTAL, 1): 30.0}  # BCRP first
    assert _values(wh, Grouping("national"), Filters(flow="M")) == {(eng.TOTAL, 1): 900.0}  # F1's total
    assert _values(wh, Grouping("sector")) == {("No Tradicionales", 1): 300.0, ("Tradicionales", 1): 700.0}
    assert _values(wh, Grouping("sector", level=2), Filters(basket_path="Tradicionales")) == {
        ("Tradicionales > Mineros", 1): 600.0,
        ("Tradicionales > Pesqueros", 1): 100.0,
    }
    assert _values(
        wh, Grouping("national"), Filters(basket_path="Tradicionales"), dataset="sunat_cuadros"
    ) == {(eng.TOTAL, 1): 700.0}
    with pytest.raises(DataNotAvailable, match="customs_office"):
        _values(wh, Grouping("customs_office"), dataset="bcrp_departments")


def test_a_month_the_first_dataset_lacks_is_answered_by_one_holding_it(wh: Warehouse) -> None:
    # BCRP holds January only; the lines hold February: a question through February skips BCRP
    s = eng.series(wh, Grouping("department"), Filters(), engine=wh.settings.engine, holding=FEB)
    assert s.dataset == "customs_lines" and FEB in s.periods
    s = eng.series(wh, Grouping("department"), Filters(), engine=wh.settings.engine, holding=JAN)
    assert s.dataset == "bcrp_departments"
    later = date(2030, 1, 1)  # held by none: the first dataset with data answers, as without ``holding``
    assert eng.series(wh, Grouping("department"), Filters(), holding=later).dataset == "bcrp_departments"


def test_column_prefix_and_classifier_dimensions(wh: Warehouse) -> None:
    assert _values(wh, Grouping("customs_office")) == {
        ("118", 1): 100.0,
        ("172", 1): 200.0,
        ("019", 2): 25.0,
        ("118", 2): 50.0,
    }
    assert _values(wh, Grouping("partner"), Filters(flow="M")) == {("CN", 1): 1000.0}
    assert _lines(wh, Grouping("department")) == {
        ("04", 1): 200.0,
        ("15", 1): 100.0,
        ("13", 2): 50.0,
        ("99", 2): 25.0,
    }
    assert _values(wh, Grouping("hs6")) == {
        ("090111", 1): 100.0,
        ("260300", 1): 200.0,
        ("080610", 2): 50.0,
        ("847420", 2): 25.0,
    }
    assert _values(wh, Grouping("product_group")) == {
        ("cafe", 1): 100.0,
        ("cobre", 1): 200.0,
        ("uva", 2): 50.0,
        (None, 2): 25.0,  # outside every group, still in the total
    }


def test_attribute_and_scheme_dimensions(wh: Warehouse) -> None:
    assert _lines(wh, Grouping("region_group")) == {
        ("interior", 1): 200.0,
        ("lima_callao", 1): 100.0,
        ("interior", 2): 50.0,
        ("no_registrado", 2): 25.0,
    }
    assert _lines(wh, Grouping("natural_region")) == {
        ("costa", 1): 300.0,
        ("costa", 2): 50.0,
        (None, 2): 25.0,
    }
    assert _lines(wh, Grouping("macroregion")) == {
        ("sur", 1): 200.0,
        (None, 1): 100.0,
        ("norte", 2): 50.0,
        (None, 2): 25.0,
    }
    assert _values(wh, Grouping("continent")) == {
        ("america", 1): 100.0,
        ("asia", 1): 200.0,
        ("america", 2): 50.0,
        ("europe", 2): 25.0,
    }
    sub = _values(wh, Grouping("continent", "subcontinent"))
    assert sub[("north_america", 1)] == 100.0 and len(sub) == 4
    with pytest.raises(DataNotAvailable, match="unknown macroregion grouping 'nope'"):
        _lines(wh, Grouping("macroregion", "nope"))


def test_filters_and_baskets_on_lines(wh: Warehouse) -> None:
    assert _lines(wh, Grouping("national"), Filters(region_groups=("interior",))) == {
        (eng.TOTAL, 1): 200.0,
        (eng.TOTAL, 2): 50.0,
    }
    assert _lines(wh, Grouping("national"), Filters(partners=("US",), customs_offices=("118",))) == {
        (eng.TOTAL, 1): 100.0,
        (eng.TOTAL, 2): 50.0,
    }
    assert _lines(wh, Grouping("sector", level=1), Filters(basket="g1")) == {
        ("Tradicionales", 1): 300.0,
        ("No Tradicionales", 2): 75.0,
    }
    assert _lines(wh, Grouping("sector"), Filters(basket="agro", departments=("15", "13"))) == {
        ("Tradicionales > Agrícolas > Café", 1): 100.0,
        ("No Tradicionales > Agropecuario", 2): 50.0,
    }


def test_a_new_dimension_is_one_registry_row(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    hs4 = Dimension("hs4", "Partida SA", "HS heading", "product", "prefix", r"\d{4}", attribute="4")
    monkeypatch.setitem(dimensions.BY_NAME, "hs4", hs4)
    assert _values(wh, Grouping("hs4")) == {
        ("0901", 1): 100.0,
        ("2603", 1): 200.0,
        ("0806", 2): 50.0,
        ("8474", 2): 25.0,
    }
    sub = Dimension(
        "subcontinent",
        "Subcontinente",
        "Subcontinent",
        "partner",
        "attribute",
        r"[a-z_]+",
        attribute="subcontinent",
    )
    monkeypatch.setitem(dimensions.BY_NAME, "subcontinent", sub)
    assert _values(wh, Grouping("subcontinent")) == _values(wh, Grouping("continent", "subcontinent"))
