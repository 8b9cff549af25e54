"""Shared fixtures: the real data mirror, a warehouse built from it, and the engine parametrisation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    env = os.environ.get("COMERCIO_SHARED_DATA")
    return Path(env) if env else (REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "SOURCES.md").exists():
        pytest.skip(f"the real-data mirror is not at {path} (set COMERCIO_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A warehouse built once per test session from the mirror (BCRP, SUNAT G1/F1, reference tables)."""
    from comercio.config import Settings
    from comercio.ingest import build
    from comercio.warehouse import Warehouse

    home = tmp_path_factory.mktemp("warehouse")
    settings = Settings(home=home, mirror=str(shared_data))
    build(Warehouse(settings), settings)
    return home


ENGINES = ["duckdb", pytest.param("spark", marks=[pytest.mark.slow, pytest.mark.spark])]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    if request.param == "spark":
        pytest.importorskip("pyspark")
    return str(request.param)


@pytest.fixture
def warehouse(built_home: Path, engine: str):  # type: ignore[no-untyped-def]
    """A read-only warehouse on the built home, for the engine under test (cached per engine)."""
    from comercio.config import Settings
    from comercio.warehouse import Warehouse

    key = (str(built_home), engine)
    if key not in _WAREHOUSES:
        _WAREHOUSES[key] = Warehouse(Settings(home=built_home, engine=engine), read_only=True)
    return _WAREHOUSES[key]


_WAREHOUSES: dict[tuple[str, str], object] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Keep every Spark test on one xdist worker: one JVM, started once.
    for item in items:
        if "spark" in item.keywords:
            item.add_marker(pytest.mark.xdist_group("spark"))
