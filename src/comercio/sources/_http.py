"""HTTP transfers for the downloader: timeouts, retries with backoff and jitter, ``Retry-After``, resumable
downloads (``Range`` into a ``.part`` file, restart on a 200) and a progress bar; sha256 computed while
streaming. The cache, the mirror and the registry of sources are in :mod:`comercio.sources.download`.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from comercio.errors import DownloadError

MIRROR_HINT = "set COMERCIO_MIRROR to a local copy such as ../shared/data"
NETWORK_HINT = f"check the connection, or {MIRROR_HINT}"
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
GONE_STATUS = frozenset({404, 410})


class NotOffered(DownloadError):
    """The publisher (or the mirror) does not offer the file: HTTP 404/410 or no copy in a mirror directory.

    Publishers that keep only recent files (SUNAT's weekly microdata stay online about two months) answer
    this way for files removed or not yet published; callers fetching many such files report it.
    """


@dataclass(frozen=True)
class HttpOptions:
    """How patient the downloader is.

    connect_timeout / read_timeout: seconds to open a connection / to wait for the next bytes.
    max_tries: attempts per file, counting the first.
    backoff_base: first retry delay in seconds, doubled each retry, plus up to as much again of jitter.
    backoff_max: cap on one computed delay; retry_after_max caps a server's ``Retry-After``.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_tries: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    retry_after_max: float = 120.0
    user_agent: str = "comercio/0.1 (Peru foreign-trade statistics; python-httpx)"

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before try ``attempt + 1``: the server's ``Retry-After`` if given, else backoff."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_max)
        step = min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)
        return step + random.uniform(0, min(self.backoff_base, step))


class _Retry(Exception):
    """A failed attempt worth repeating: why, and the server's ``Retry-After`` if it sent one."""

    def __init__(self, reason: str, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _content_range_start(value: str | None) -> int | None:
    """First byte of a ``Content-Range: bytes START-END/TOTAL`` header."""
    if not value or not value.startswith("bytes "):
        return None
    try:
        return int(value[6:].split("-", 1)[0])
    except ValueError:
        return None


class _Transfer:
    """One file's HTTP transfer into ``<file>.part``, resumable across attempts within one fetch."""

    def __init__(self, url: str, part: Path, options: HttpOptions, progress: Progress | None, label: str):
        self.url = url
        self.part = part
        self.options = options
        self.progress = progress
        self.hasher = hashlib.sha256()
        self.received = 0
        self.validator: str | None = None
        self.headers: dict[str, str] = {}
        self.task = progress.add_task(label, total=None) if progress else None

    def _restart(self) -> None:
        self.hasher = hashlib.sha256()
        self.received = 0
        self.part.unlink(missing_ok=True)

    def attempt(self, client: httpx.Client) -> None:
        """One GET; returns when the body is complete, raises :class:`_Retry` or :class:`DownloadError`."""
        headers: dict[str, str] = {}
        if self.received:
            headers["Range"] = f"bytes={self.received}-"
            if self.validator:
                headers["If-Range"] = self.validator
        with client.stream("GET", self.url, headers=headers) as resp:
            status = resp.status_code
            if (
                status == 206
                and self.received
                and _content_range_start(resp.headers.get("content-range")) == self.received
            ):
                mode = "ab"
            elif status == 200:
                self._restart()
                mode = "wb"
            elif status in (206, 416):
                # A range we did not ask for, or one the server refuses: drop the partial file, start over.
                self._restart()
                raise _Retry(
                    f"HTTP {status} for a resumed request; starting over", retry_after=0.0, status=status
                )
            elif status in RETRYABLE_STATUS:
                retry_after = _parse_retry_after(resp.headers.get("retry-after"))
                raise _Retry(f"HTTP {status} {resp.reason_phrase}", retry_after, status)
            else:
                error = NotOffered if status in GONE_STATUS else DownloadError
                raise error(
                    f"HTTP {status} {resp.reason_phrase}",
                    url=self.url,
                    hint=f"the file may have moved (see comercio.sources.registry), or {MIRROR_HINT}",
                )
            self.headers = {k.lower(): v for k, v in resp.headers.items()}
            etag = resp.headers.get("etag")
            self.validator = etag if etag and not etag.startswith("W/") else resp.headers.get("last-modified")
            length = resp.headers.get("content-length")
            total = self.received + int(length) if length and length.isdigit() else None
            if self.progress is not None and self.task is not None:
                self.progress.update(self.task, total=total, completed=self.received)
            with self.part.open(mode) as fh:
                for chunk in resp.iter_raw():  # as received: nothing held back if the link drops
                    fh.write(chunk)
                    self.hasher.update(chunk)
                    self.received += len(chunk)
                    if self.progress is not None and self.task is not None:
                        self.progress.update(self.task, completed=self.received)
            if total is not None and self.received < total:
                raise _Retry(f"connection closed after {self.received} of {total} bytes")


def _http_download(
    url: str, dest: Path, client: httpx.Client, options: HttpOptions, progress: Progress | None, label: str
) -> tuple[str, int, dict[str, str]]:
    """GET ``url`` into ``dest`` with retries and resume; return sha256, size and the last headers."""
    part = dest.with_name(dest.name + ".part")
    part.unlink(missing_ok=True)
    transfer = _Transfer(url, part, options, progress, label)
    last = ""
    status: int | None = None
    try:
        for attempt in range(1, options.max_tries + 1):
            try:
                transfer.attempt(client)
                os.replace(part, dest)
                return transfer.hasher.hexdigest(), transfer.received, transfer.headers
            except _Retry as exc:
                last, status, retry_after = exc.reason, exc.status, exc.retry_after
            except httpx.TransportError as exc:
                last, status, retry_after = f"network error: {type(exc).__name__}: {exc}", None, None
            if attempt < options.max_tries:
                time.sleep(options.delay(attempt, retry_after))
    finally:
        part.unlink(missing_ok=True)
        if progress is not None and transfer.task is not None:
            progress.remove_task(transfer.task)
    hint = NETWORK_HINT if status is None else f"the server is busy or failing; try later, or {MIRROR_HINT}"
    raise DownloadError(f"{last} (gave up after {options.max_tries} tries)", url=url, hint=hint)


class _Amount(ProgressColumn):
    """``3/10 files`` for a task counting files, bytes (``1.2/3.4 MB``) for a transfer."""

    def __init__(self) -> None:
        super().__init__()
        self._bytes = DownloadColumn()

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit")
        if unit:
            total = "?" if task.total is None else f"{int(task.total)}"
            return Text(f"{int(task.completed)}/{total} {unit}", style="progress.download")
        return self._bytes.render(task)


class _Rate(ProgressColumn):
    """Files a second for a task counting files, bytes a second for a transfer."""

    def __init__(self) -> None:
        super().__init__()
        self._bytes = TransferSpeedColumn()

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit")
        if unit:
            speed = task.finished_speed or task.speed
            return Text("?" if speed is None else f"{speed:.2f} {unit}/s", style="progress.data.speed")
        return self._bytes.render(task)


def _on_terminal() -> bool:
    """Whether a person is watching: both stdout and stderr are terminals (not a pipe, a file or cron)."""
    return sys.stdout.isatty() and sys.stderr.isatty()


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar on stderr (amount, rate, time left) when asked and on a terminal; else nothing."""
    if not (enabled and _on_terminal()):
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        _Amount(),
        _Rate(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        yield bar


@contextmanager
def counting(
    bar: Progress | None, label: str, total: int, unit: str = "files"
) -> Iterator[Callable[[], None]]:
    """A task of ``bar`` counting ``total`` items; yields the function that advances it by one (a no-op
    without a bar)."""
    if bar is None:
        yield lambda: None
        return
    task = bar.add_task(label, total=total, unit=unit)
    try:
        yield lambda: bar.advance(task)
    finally:
        bar.remove_task(task)


@contextmanager
def files_progress(enabled: bool, label: str, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar of its own counting ``total`` files (see :func:`_progress_bar`)."""
    with _progress_bar(enabled) as bar, counting(bar, label, total) as step:
        yield step


def _client(options: HttpOptions) -> httpx.Client:
    timeout = httpx.Timeout(options.read_timeout, connect=options.connect_timeout)
    # identity encoding: byte offsets in Range requests must be offsets in the file as stored.
    headers = {"User-Agent": options.user_agent, "Accept-Encoding": "identity"}
    return httpx.Client(timeout=timeout, follow_redirects=True, headers=headers)
