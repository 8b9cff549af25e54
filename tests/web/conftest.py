"""Web fixtures: the app on the built warehouse, and a real uvicorn server on loopback for the browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def web_settings(built_home: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from comercio.config import Settings

    return Settings(
        home=built_home, mirror=str(shared_data), reports_dir=tmp_path_factory.mktemp("web-reports")
    )


@pytest.fixture(scope="session")
def web_app(web_settings):  # type: ignore[no-untyped-def]
    from comercio.server import create_app

    return create_app(web_settings)


@pytest.fixture(scope="session")
def live_server(web_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """uvicorn in a thread on 127.0.0.1 and a free port; stopped at the end of the session."""
    with serving(web_app) as url:
        yield url


@pytest.fixture(scope="session")
def serve() -> Callable[[Any], AbstractContextManager[str]]:
    """:func:`serving` for tests that serve an app of their own (another warehouse)."""
    return serving


@contextmanager
def serving(web_app: Any) -> Iterator[str]:
    """uvicorn serving ``web_app`` in a thread on 127.0.0.1 and a free port, stopped on exit."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (one per test module); skips when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()
