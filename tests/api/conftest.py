"""Fixtures for API tests: the real app on a warehouse built from the mirror, and a report directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def reports_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reports")
    (root / "2022-11").mkdir()
    (root / "2022-11" / "regional.md").write_text("# Reporte regional\n", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def api_settings(built_home: Path, shared_data: Path, reports_dir: Path):  # type: ignore[no-untyped-def]
    from comercio.config import Settings

    return Settings(home=built_home, mirror=str(shared_data), reports_dir=reports_dir)


@pytest.fixture(scope="session")
def api_app(api_settings):  # type: ignore[no-untyped-def]
    from comercio.server import create_app

    return create_app(api_settings)


@pytest.fixture(scope="session")
def client(api_app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(api_app, raise_server_exceptions=False)
