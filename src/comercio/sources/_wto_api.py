"""Fetch WTO merchandise values from the time-series API (``api.wto.org/timeseries/v1/data``) into the cache.

The API wants a subscription key (header ``Ocp-Apim-Subscription-Key``), read from ``COMERCIO_WTO_API_KEY``;
the key is sent, never stored: cache addresses, ``meta.json`` and provenance hold the URL without it. Each
indicator (``ITS_MTV_AX`` exports, ``ITS_MTV_AM`` imports) is read in pages of ``page`` records
(``off`` / ``max``) through the project's downloader (:mod:`comercio.sources._http`: retries with backoff,
``Retry-After`` on 429), with at least ``MIN_INTERVAL_S`` between two requests (WTO asks for about one a
second). Pages are cached like any download, so a second fetch sends nothing; the pages are then joined into
one JSON file (``{"Dataset": [...]}``) that ``comercio ingest wto`` reads as one vintage holding both flows.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from comercio.config import Settings
from comercio.errors import ConfigError, DownloadError, ParseError
from comercio.sources._http import HttpOptions, _client

if TYPE_CHECKING:
    from comercio.sources.download import FetchedFile

API_URL = "https://api.wto.org/timeseries/v1/data"
KEY_ENV = "COMERCIO_WTO_API_KEY"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
INDICATORS = ("ITS_MTV_AX", "ITS_MTV_AM")
PAGE_RECORDS = 1_000_000  # the API's largest page
MIN_INTERVAL_S = 1.0
JOINED = "wto_api_merchandise_values.json"


def api_url(indicator: str, *, offset: int = 0, page: int = PAGE_RECORDS, base: str = API_URL) -> str:
    """The address of one page: every reporter, partner World, every product group and year, codes only."""
    query = {
        "i": indicator,
        "r": "all",
        "p": "000",
        "ps": "all",
        "pc": "all",
        "spc": "false",
        "fmt": "json",
        "mode": "full",
        "dec": "default",
        "off": offset,
        "max": page,
        "head": "M",
        "lang": 1,
        "meta": "false",
    }
    return f"{base}?{urlencode(query)}"


def _records(path: Path) -> list[dict[str, Any]]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ParseError(f"the WTO API answered something that is not JSON ({exc})", file=path.name) from None
    records = payload.get("Dataset") if isinstance(payload, dict) else None
    if not isinstance(records, list):
        raise ParseError("the WTO API answer has no 'Dataset' list", file=path.name, field="Dataset")
    return records


def _write_atomic(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fetch_api(
    settings: Settings,
    *,
    key: str | None = None,
    indicators: Sequence[str] = INDICATORS,
    base: str | None = None,
    page: int = PAGE_RECORDS,
    force: bool = False,
    http: HttpOptions | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchedFile:
    """Fetch every page of ``indicators`` (cached pages reused unless ``force``); join them in one file."""
    # imported here: the registry imports the wto reader, which re-exports this function
    from comercio.sources import download
    from comercio.sources.registry import Resource

    key = key or os.environ.get(KEY_ENV)
    if not key:
        raise ConfigError(
            f"the WTO time-series API needs a subscription key: set {KEY_ENV}",
            field=KEY_ENV,
            hint="free key at https://apiportal.wto.org; or use the bulk file: `comercio fetch wto`",
        )
    base = base or API_URL
    options = http or HttpOptions()
    records: list[dict[str, Any]] = []
    pages: list[FetchedFile] = []
    last: float | None = None
    with _client(options) as client:
        client.headers[KEY_HEADER] = key
        for indicator in indicators:
            offset = 0
            while True:
                resource = Resource(
                    key=f"api_{indicator}_{offset}",
                    url=api_url(indicator, offset=offset, page=page, base=base),
                    mirror_path=f"wto/api/{indicator}_{offset}.json",
                    filename=f"wto_api_{indicator}_{offset}.json",
                    description=f"WTO time-series API, {indicator}, records {offset}…{offset + page - 1}",
                )
                plan = download._plan("wto", resource, settings, use_mirror=False)
                got = None if force else download._from_cache(plan)
                if got is None:
                    if last is not None:
                        sleep(max(0.0, MIN_INTERVAL_S - (time.monotonic() - last)))
                    try:
                        got = download._fetch_plan(
                            plan, force=True, client=client, options=options, progress=None
                        )
                    except DownloadError as exc:
                        if exc.reason.startswith(("HTTP 401", "HTTP 403")):
                            raise DownloadError(
                                exc.reason, url=exc.url, hint=f"the API refused the key in {KEY_ENV}"
                            ) from None
                        raise
                    finally:
                        last = time.monotonic()
                pages.append(got)
                batch = _records(got.path)
                records.extend(batch)
                if len(batch) < page:
                    break
                offset += page
    joined = download._cache_slot(settings, f"{base}#{','.join(indicators)}", JOINED)
    _write_atomic(joined, {"Dataset": records})
    return download.FetchedFile(
        source="wto",
        key="api",
        url=base,
        path=joined,
        sha256=download._sha256_file(joined),
        size=joined.stat().st_size,
        retrieved_at=max(p.retrieved_at for p in pages),
        from_cache=all(p.from_cache for p in pages),
        via="publisher",
        fetched_from=base,
    )


__all__ = ["API_URL", "INDICATORS", "KEY_ENV", "api_url", "fetch_api"]
