"""Shared fixtures: the real data mirror, a warehouse built from it, the engine parametrisation, snapshots.

Every test that needs the official files asks for ``shared_data`` (the mirror's root) or ``shared_file``
(one file of it): without the mirror they skip with one reason, and the run ends with a loud count of them.
Tests that compare against syrupy snapshots are marked ``snapshots`` (``make snapshots`` re-records them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NO_SHARED_DATA = "../shared/data not found"


def shared_data_dir() -> Path:
    env = os.environ.get("COMERCIO_SHARED_DATA")
    return Path(env).resolve() if env else (REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The root of the real-data mirror (read-only); the test skips when it is absent."""
    path = shared_data_dir()
    if not (path / "SOURCES.md").exists():
        pytest.skip(f"{NO_SHARED_DATA} (looked in {path}; set COMERCIO_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def shared_file(shared_data: Path) -> Callable[[str], Path]:
    """``shared_file("bcrp/….csv")``: one file of the mirror; the test skips when the file is absent."""

    def get(relative: str) -> Path:
        path = shared_data / relative
        if not path.exists():
            pytest.skip(f"{NO_SHARED_DATA}: {relative} is not in {shared_data}")
        return path

    return get


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "snapshots: compares with a syrupy snapshot (`make snapshots`)")


def _uses_syrupy(item: pytest.Item) -> bool:
    """True when the ``snapshot`` fixture the test gets is syrupy's (some folders define their own)."""
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.get("snapshot") if info is not None else None
    return defs is not None and len(defs) > 0 and defs[-1].func.__module__.startswith("syrupy")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "spark" in item.keywords:  # every Spark test on one xdist worker: one JVM, started once
            item.add_marker(pytest.mark.xdist_group("spark"))
        if _uses_syrupy(item):
            item.add_marker(pytest.mark.snapshots)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly how many tests did not run because the real-data mirror is missing."""
    skipped = {
        r.nodeid
        for r in terminalreporter.stats.get("skipped", [])
        if isinstance(r.longrepr, tuple) and NO_SHARED_DATA in str(r.longrepr[-1])
    }
    if skipped:
        terminalreporter.write_sep(
            "!",
            f"{len(skipped)} tests skipped: {NO_SHARED_DATA} (set COMERCIO_SHARED_DATA to the mirror)",
            yellow=True,
            bold=True,
        )
