"""A real HTTP server on loopback serving ../shared/data, with scripted faults, for the downloader tests.

The downloader is tested against real sockets (never a patched httpx) so that timeouts, dropped connections,
``Range`` requests and ``Retry-After`` go through the same code paths as on the internet.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def download_shared_data(shared_data: Path) -> Path:
    """The real official files (read-only): the session's ``shared_data`` (skips when it is absent)."""
    return shared_data


@dataclass
class Fault:
    """What the server does instead of (or on top of) serving a request.

    status: answer with this HTTP status and ``headers``, no body.
    drop_after: send the full headers, then only this many body bytes, then close the connection.
    ignore_range: serve the whole file with 200 even when the request asks for a range.
    """

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop_after: int | None = None
    ignore_range: bool = False


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]
    status: int = 0


class LoopbackServer:
    """``ThreadingHTTPServer`` on 127.0.0.1 with an ephemeral port; records every request it receives."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[SeenRequest] = []
        self._faults: dict[str, list[Fault]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, path: str, *faults: Fault) -> None:
        """Apply ``faults`` to the next requests for ``path``, one each, in order."""
        with self._lock:
            self._faults.setdefault(path, []).extend(faults)

    def fail(self, path: str, status: int, *, times: int = 1, headers: dict[str, str] | None = None) -> None:
        """Answer the next ``times`` requests for ``path`` with ``status`` and no body."""
        self.script(path, *(Fault(status=status, headers=dict(headers or {})) for _ in range(times)))

    def drop(self, path: str, after: int) -> None:
        """Close the connection of the next request for ``path`` after ``after`` body bytes."""
        self.script(path, Fault(drop_after=after))

    def ignore_range(self, path: str) -> None:
        """Serve the next request for ``path`` whole, with 200, whatever range it asks for."""
        self.script(path, Fault(ignore_range=True))

    def next_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(path)
            return queue.pop(0) if queue else None

    def record(self, seen: SeenRequest) -> None:
        with self._lock:
            self.requests.append(seen)

    def count(self, path: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if path is None or r.path == path)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _make_handler(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            return

        def _reply_empty(self, seen: SeenRequest, status: int, headers: dict[str, str]) -> None:
            seen.status = status
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            seen = SeenRequest(path, {k.lower(): v for k, v in self.headers.items()})
            server.record(seen)
            fault = server.next_fault(path) or Fault()
            if fault.status is not None:
                self._reply_empty(seen, fault.status, fault.headers)
                return
            file = (server.root / path.lstrip("/")).resolve()
            if server.root not in file.parents or not file.is_file():
                self._reply_empty(seen, 404, {})
                return
            data = file.read_bytes()
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            start = 0
            wanted = seen.headers.get("range", "")
            if wanted.startswith("bytes=") and wanted.endswith("-") and not fault.ignore_range:
                start = int(wanted[6:-1])
            if start >= len(data) and start:
                self._reply_empty(seen, 416, {"Content-Range": f"bytes */{len(data)}"})
                return
            seen.status = 206 if start else 200
            self.send_response(seen.status)
            self.send_header("ETag", etag)
            self.send_header("Accept-Ranges", "bytes")
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            body = data[start:]
            if fault.drop_after is not None:
                self.wfile.write(body[: fault.drop_after])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture
def loopback_server(download_shared_data: Path) -> Iterator[LoopbackServer]:
    """A fresh server (new request log, no faults) for each test, stopped afterwards."""
    server = LoopbackServer(download_shared_data)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on (bound, then released), for connection-refused tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hs/hs2022_en.csv"
