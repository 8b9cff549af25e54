"""The WTO time-series API fetch: key sent as a header and never stored, pages joined, cache reused, 429 and
Retry-After honoured, a refused key explained. A loopback server answers with the recorded fixture."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from comercio.config import Settings
from comercio.errors import ConfigError, DownloadError
from comercio.sources import HttpOptions
from comercio.sources.wto import API_FILE, fetch_api, read_wto
from comercio.sources.wto import API_KEY_ENV as KEY_ENV

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "wto" / "timeseries_ITS_MTV_AX_AM.json"
RECORDS = json.loads(FIXTURE.read_text(encoding="utf-8"))["Dataset"]
FAST = HttpOptions(max_tries=3, backoff_base=0.01, backoff_max=0.01)


class Api:
    """Answers /timeseries/v1/data like the API: the fixture's records of indicator ``i``, by off/max."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.statuses: list[tuple[int, dict[str, str]]] = []  # scripted answers, one per request
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                api.requests.append({**query, "key": self.headers.get("Ocp-Apim-Subscription-Key", "")})
                if api.statuses:
                    status, headers = api.statuses.pop(0)
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                mine = [r for r in RECORDS if r["IndicatorCode"] == query["i"]]
                off, size = int(query["off"]), int(query["max"])
                body = json.dumps({"Dataset": mine[off : off + size]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/timeseries/v1/data"


@pytest.fixture
def api() -> Iterator[Api]:
    server = Api()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def test_pages_are_joined_cached_and_the_key_never_stored(tmp_path: Path, api: Api) -> None:
    settings = Settings(home=tmp_path)
    waits: list[float] = []
    got = fetch_api(settings, key="s3cret", base=api.url, page=2, http=FAST, sleep=waits.append)
    # exports: 7 records in pages of 2 (4 requests), imports: 2 records (a full page, then an empty one)
    assert [(r["i"], r["off"]) for r in api.requests] == [
        ("ITS_MTV_AX", "0"),
        ("ITS_MTV_AX", "2"),
        ("ITS_MTV_AX", "4"),
        ("ITS_MTV_AX", "6"),
        ("ITS_MTV_AM", "0"),
        ("ITS_MTV_AM", "2"),
    ]
    assert {r["key"] for r in api.requests} == {"s3cret"}
    assert len(waits) == 5  # paced between live requests
    assert not got.from_cache and got.url == api.url
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"s3cret" not in stored
    table = read_wto(got.path).table
    assert table.num_rows == len(RECORDS) - 1  # the extra-EU record is not partner World
    again = fetch_api(settings, key="s3cret", base=api.url, page=2, http=FAST, sleep=waits.append)
    assert len(api.requests) == 6 and again.from_cache and again.sha256 == got.sha256


def test_429_with_retry_after_is_waited_for(tmp_path: Path, api: Api) -> None:
    api.statuses = [(429, {"Retry-After": "0"})]
    got = fetch_api(Settings(home=tmp_path), key="k", base=api.url, indicators=["ITS_MTV_AM"], http=FAST)
    assert len(api.requests) == 2
    assert len(json.loads(got.path.read_text(encoding="utf-8"))["Dataset"]) == 2


def test_a_refused_key_and_a_missing_key_are_explained(
    tmp_path: Path, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.statuses = [(401, {})]
    with pytest.raises(DownloadError, match="HTTP 401") as info:
        fetch_api(Settings(home=tmp_path), key="bad", base=api.url, http=FAST)
    assert KEY_ENV in str(info.value)
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(ConfigError, match=KEY_ENV):
        fetch_api(Settings(home=tmp_path), base=api.url)


def test_comercio_fetch_wto_api_then_ingest(
    tmp_path: Path, api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import functools

    import comercio.cli as cli
    from comercio.sources import wto

    def run(*argv: str) -> int:
        try:
            cli.main(list(argv))
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    monkeypatch.setenv("COMERCIO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("COMERCIO_MIRROR", raising=False)
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert run("fetch", "wto", "--api") != 0
    assert KEY_ENV in capsys.readouterr().err
    assert run("fetch", "bcrp", "--api") != 0
    assert "--api applies to the wto source only" in capsys.readouterr().err
    monkeypatch.setenv(KEY_ENV, "k")
    monkeypatch.setattr(wto, "fetch_api", functools.partial(fetch_api, base=api.url))
    assert run("fetch", "wto", "--api") == 0
    out = capsys.readouterr().out
    joined = next((tmp_path / "home").rglob(API_FILE))
    assert "downloaded" in out and joined.name in out.replace("\n", "")
    assert run("ingest", "wto", str(joined)) == 0
    assert "wto_merchandise/merchandise_values: loaded as new vintage 1" in capsys.readouterr().out.replace(
        "\n", ""
    )
