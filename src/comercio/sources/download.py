"""Download a source's files into a content-checked cache, from the publisher or from a mirror.

Why this shape: official sites are slow, rate-limited and sometimes down, and every figure comercio publishes
must be traceable to the exact bytes it was computed from. So each file lands in
``cache_dir/<sha256(url)[:16]>/<filename>`` beside a ``meta.json`` recording where it came from, when, and its
sha256; a file is only ever put in place with ``os.replace`` after it is complete, so an interrupted download
never leaves half a file where a reader would find it. HTTP requests retry with exponential backoff and jitter
on network errors, 429 and 5xx (honouring ``Retry-After``) and resume a broken transfer with a ``Range``
request. ``COMERCIO_MIRROR`` (a directory or a base URL) replaces every publisher address, for offline work
and tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
from rich.progress import Progress

from comercio.config import Settings
from comercio.errors import ConfigError, DownloadError
from comercio.sources._http import (
    HttpOptions,
    NotOffered,
    _client,
    _http_download,
    _progress_bar,
    counting,
    files_progress,
)
from comercio.sources.registry import Resource, Source, get_source

Via = Literal["publisher", "mirror-dir", "mirror-url"]

progress_bar = _progress_bar
"""``with progress_bar(enabled) as bar``: a rich bar on a terminal (None otherwise); a task added with a
``unit`` field (``bar.add_task(label, total=n, unit="lines")``) counts items, with rate and time left."""

META_NAME = "meta.json"


@dataclass(frozen=True)
class FetchedFile:
    """A file in the cache and where it came from; ``url`` is always the publisher's address."""

    source: str
    key: str
    url: str
    path: Path
    sha256: str
    size: int
    retrieved_at: str
    from_cache: bool
    via: Via
    fetched_from: str = ""


@dataclass(frozen=True)
class _Plan:
    """Where one resource will be fetched from under the current settings, and where it is cached."""

    source: str
    resource: Resource
    via: Via
    location: str  # URL to GET, or the mirror file's path
    path: Path

    @property
    def meta_path(self) -> Path:
        return self.path.parent / META_NAME

    def result(self, sha: str, size: int, at: str, cached: bool, origin: str) -> FetchedFile:
        r = self.resource
        return FetchedFile(self.source, r.key, r.url, self.path, sha, size, at, cached, self.via, origin)


def _cache_slot(settings: Settings, key_url: str, filename: str) -> Path:
    digest = hashlib.sha256(key_url.encode("utf-8")).hexdigest()[:16]
    return settings.cache_dir / digest / filename


def _mirror_kind(mirror: str) -> Literal["url", "dir"]:
    return "url" if mirror.startswith(("http://", "https://")) else "dir"


def _mirror_dir(mirror: str) -> Path:
    return Path(mirror.removeprefix("file://")).expanduser().resolve()


def _plan(source: str, resource: Resource, settings: Settings, *, use_mirror: bool = True) -> _Plan:
    mirror = settings.mirror if use_mirror else None
    if not mirror:
        path = _cache_slot(settings, resource.url, resource.filename)
        return _Plan(source, resource, "publisher", resource.url, path)
    filename = Path(resource.mirror_path).name
    if _mirror_kind(mirror) == "url":
        url = f"{mirror.rstrip('/')}/{resource.mirror_path.lstrip('/')}"
        return _Plan(source, resource, "mirror-url", url, _cache_slot(settings, url, filename))
    file = _mirror_dir(mirror) / resource.mirror_path
    return _Plan(source, resource, "mirror-dir", str(file), _cache_slot(settings, file.as_uri(), filename))


def _plans(
    src: Source, settings: Settings, include_optional: bool, *, use_mirror: bool = True
) -> list[_Plan]:
    """One plan per resource to fetch; resources sharing a mirror file are fetched from the mirror once."""
    plans: list[_Plan] = []
    seen: set[str] = set()
    for res in src.resources:
        if res.optional and not include_optional:
            continue
        plan = _plan(src.name, res, settings, use_mirror=use_mirror)
        if plan.via != "publisher":
            if res.mirror_path in seen:
                continue
            seen.add(res.mirror_path)
        plans.append(plan)
    return plans


def _resolve(source: str | Source) -> Source:
    return source if isinstance(source, Source) else get_source(source)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_meta(plan: _Plan) -> dict[str, Any] | None:
    try:
        meta = json.loads(plan.meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _from_cache(plan: _Plan) -> FetchedFile | None:
    """The cached file if it exists and its sha256 still matches its sidecar; else ``None``."""
    meta = _read_meta(plan)
    if meta is None or not plan.path.is_file():
        return None
    sha = _sha256_file(plan.path)
    if sha != meta.get("sha256"):
        return None
    fetched_from = str(meta.get("fetched_from", plan.location))
    return plan.result(sha, plan.path.stat().st_size, str(meta.get("retrieved_at", "")), True, fetched_from)


def _write_json_atomic(path: Path, payload: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _copy_from_dir(plan: _Plan) -> tuple[str, int]:
    """Copy the mirror file next to its cache slot, hashing on the way, then move it into place."""
    src = Path(plan.location)
    if not src.is_file():
        raise NotOffered(
            f"the mirror has no copy of {plan.source}/{plan.resource.key} "
            f"(expected {plan.resource.mirror_path})",
            file=src,
            hint="point COMERCIO_MIRROR at a directory holding that path, or unset it to use the publisher",
        )
    h = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=plan.path.parent, prefix=f".{plan.path.name}.", suffix=".tmp")
    try:
        with src.open("rb") as fin, os.fdopen(fd, "wb") as fout:
            for block in iter(lambda: fin.read(1 << 20), b""):
                h.update(block)
                size += len(block)
                fout.write(block)
        os.replace(tmp, plan.path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return h.hexdigest(), size


def _fetch_plan(
    plan: _Plan, *, force: bool, client: httpx.Client, options: HttpOptions, progress: Progress | None
) -> FetchedFile:
    if not force:
        hit = _from_cache(plan)
        if hit is not None:
            return hit
    plan.path.parent.mkdir(parents=True, exist_ok=True)
    headers: dict[str, str] = {}
    if plan.via == "mirror-dir":
        sha, size = _copy_from_dir(plan)
    else:
        label = f"{plan.source}/{plan.resource.key}"
        try:
            sha, size, headers = _http_download(plan.location, plan.path, client, options, progress, label)
        except DownloadError as exc:
            if plan.via != "mirror-url":
                raise
            hint = f"the mirror should serve {plan.resource.mirror_path} at its root; {exc.hint}"
            raise type(exc)(exc.reason, url=exc.url, hint=hint) from exc
    retrieved_at = _now()
    meta = {
        "source": plan.source,
        "key": plan.resource.key,
        "url": plan.resource.url,
        "fetched_from": plan.location,
        "via": plan.via,
        "filename": plan.path.name,
        "sha256": sha,
        "size": size,
        "retrieved_at": retrieved_at,
        "etag": headers.get("etag"),
        "last_modified": headers.get("last-modified"),
    }
    _write_json_atomic(plan.meta_path, meta)
    return plan.result(sha, size, retrieved_at, False, plan.location)


@dataclass(frozen=True)
class Session:
    """One HTTP client and one progress bar shared by many fetches (see :func:`session`)."""

    settings: Settings
    client: httpx.Client
    options: HttpOptions
    bar: Progress | None

    def fetch(self, resource: Resource, *, source: str = "", force: bool = False) -> FetchedFile:
        """Fetch one resource (from the cache when it is intact, unless ``force``); a file the publisher or
        the mirror does not have raises :class:`NotOffered`."""
        plan = _plan(source, resource, self.settings)
        return _fetch_plan(plan, force=force, client=self.client, options=self.options, progress=self.bar)


@contextmanager
def session(
    settings: Settings, *, progress: bool = True, http: HttpOptions | None = None
) -> Iterator[Session]:
    """A :class:`Session` for fetching many resources one after the other."""
    options = http or HttpOptions()
    with _client(options) as client, _progress_bar(progress) as bar:
        yield Session(settings, client, options, bar)


def fetch_resource(
    resource: Resource,
    settings: Settings,
    *,
    source: str = "",
    force: bool = False,
    progress: bool = True,
    http: HttpOptions | None = None,
) -> FetchedFile:
    """Fetch one resource (from the cache when it is intact, unless ``force``)."""
    with session(settings, progress=progress, http=http) as s:
        return s.fetch(resource, source=source, force=force)


def fetch(
    source: str | Source,
    settings: Settings,
    *,
    force: bool = False,
    progress: bool = True,
    include_optional: bool = False,
    http: HttpOptions | None = None,
) -> list[FetchedFile]:
    """Fetch every file of ``source`` into the cache and return them in registry order.

    With ``COMERCIO_MIRROR`` set, files come from the mirror instead of the publisher (resources that share a
    mirror file yield that file once). Optional resources are skipped unless ``include_optional``.
    """
    src = _resolve(source)
    if not src.resources:
        raise ConfigError(
            f"{src.name} has no file to download (its publisher serves it behind a login or a form)",
            hint=f"download it yourself and run `comercio ingest {src.name} PATH…`",
        )
    options = http or HttpOptions()
    plans = _plans(src, settings, include_optional)
    with _client(options) as client, _progress_bar(progress) as bar:
        return [_fetch_plan(p, force=force, client=client, options=options, progress=bar) for p in plans]


def _plans_from_any_route(src: Source, settings: Settings) -> list[_Plan] | None:
    """Cached copies of ``src``'s resources whatever route fetched them (a mirror set when they were
    fetched, unset now, or the other way round), found by the ``source`` and ``key`` in their sidecars."""
    found: dict[str, _Plan] = {}
    for meta_path in sorted(settings.cache_dir.glob(f"*/{META_NAME}")):
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(meta, dict) or meta.get("source") != src.name:
            continue
        for r in src.resources:
            if r.key == meta.get("key") and r.key not in found:
                via: Via = meta["via"] if meta.get("via") in ("mirror-dir", "mirror-url") else "publisher"
                path = meta_path.parent / str(meta.get("filename", r.filename))
                found[r.key] = _Plan(src.name, r, via, str(meta.get("fetched_from", r.url)), path)
    if any(r.key not in found and not r.optional for r in src.resources):
        return None
    return [found[r.key] for r in src.resources if r.key in found]


def cached(source: str | Source, settings: Settings, *, include_optional: bool = False) -> list[FetchedFile]:
    """What ``fetch`` would return, from the cache only: no network, no mirror access.

    Looks for the files fetched under the current settings (mirror or publisher) and, failing that, for the
    publisher's files. Optional resources are returned when cached, and required when ``include_optional``.
    """
    src = _resolve(source)
    candidates = [_plans(src, settings, True)]
    if settings.mirror:
        candidates.append(_plans(src, settings, True, use_mirror=False))
    anywhere = _plans_from_any_route(src, settings)
    if anywhere is not None:
        candidates.append(anywhere)
    first_missing: _Plan | None = None
    for plans in candidates:
        found: list[FetchedFile] = []
        missing: _Plan | None = None
        for plan in plans:
            hit = _from_cache(plan)
            if hit is not None:
                found.append(hit)
            elif include_optional or not plan.resource.optional:
                missing = plan
                break
        if missing is None:
            return found
        first_missing = first_missing or missing
    assert first_missing is not None
    raise DownloadError(
        f"{src.name}/{first_missing.resource.key} is not in the cache (or no longer matches its sha256)",
        file=first_missing.path,
        hint=f"run `comercio fetch {src.name}` first",
    )


__all__ = [
    "FetchedFile",
    "HttpOptions",
    "NotOffered",
    "Session",
    "cached",
    "counting",
    "fetch",
    "fetch_resource",
    "files_progress",
    "progress_bar",
    "session",
]
