"""The user's archive of SUNAT's weekly microdata files, and the fetch that fills it.

SUNAT keeps each weekly file online for about two months (SUNAT_LAYOUTS.md §1), so the only history anyone
has is what they kept. Every weekly file fetched is placed, atomically, in
``COMERCIO_HOME/archive/sunat-microdata/<name>`` and never deleted by comercio (decision 0017). A name
already archived is not fetched again unless asked (``force``); a file fetched again with the same bytes
changes nothing; one whose bytes differ is kept beside the first as ``<stem>.<sha12>.zip`` and reported,
and the newest version of a week is the one ingested. A zip that does not open is refused (not archived)
and reported: the reader would refuse it anyway, and an archive must only hold what can be read.
``index.json`` records, in order, every version kept: where it came from, when, and its sha256.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from comercio.config import Settings
from comercio.errors import ConfigError, DownloadError
from comercio.sources import weekly
from comercio.sources.download import (
    FetchedFile,
    HttpOptions,
    NotOffered,
    Session,
    _now,
    _sha256_file,
    _write_json_atomic,
    counting,
    session,
)
from comercio.sources.registry import Resource, get_source

__all__ = ["FLOW_OPTIONS", "SOURCE", "Archive", "FetchReport", "Kept", "fetch_weeks", "flows", "names"]

SOURCE = "sunat-microdata"
FLOW_OPTIONS: dict[str, tuple[str, ...]] = {"x": ("X",), "m": ("M",), "both": ("X", "M")}
INDEX = "index.json"
_LOCK = ".lock"
_KEEP_HINT = "SUNAT keeps a weekly file online about two months; past that, only an archive has it"


def flows(option: str) -> tuple[str, ...]:
    """The flows (``X``, ``M``) a ``--flow`` option (``x``, ``m`` or ``both``) stands for."""
    try:
        return FLOW_OPTIONS[option.lower()]
    except KeyError:
        raise ConfigError(
            f"--flow must be one of {', '.join(FLOW_OPTIONS)}, not {option!r}", field="--flow"
        ) from None


def names(start: dt.date, end: dt.date, flow_list: tuple[str, ...]) -> list[str]:
    """The weekly files a date range calls for: every week ending in ``start`` … ``end``, oldest first,
    each flow in the order given (``x…zip`` exports, ``ma…zip`` imports)."""
    return [weekly.file_name(f, first, last) for first, last in weekly.weeks(start, end) for f in flow_list]


@dataclass(frozen=True)
class Kept:
    """One version of a weekly file in the archive."""

    name: str  # the publisher's name, e.g. x15210626.zip
    path: Path  # the file in the archive (the name itself, or <stem>.<sha12>.zip)
    sha256: str
    size: int
    archived_at: str
    url: str = ""
    fetched_from: str = ""

    @property
    def period(self) -> weekly.FileName:
        parsed = weekly.parse(self.name)
        assert parsed is not None
        return parsed


class Archive:
    """The folder of one source's kept files and its index."""

    def __init__(self, settings: Settings, source: str = SOURCE) -> None:
        self.dir = settings.archive_dir / source

    def path(self, name: str) -> Path:
        return self.dir / name

    def has(self, name: str) -> bool:
        return self.path(name).is_file()

    def _index(self) -> list[dict[str, Any]]:
        try:
            raw = json.loads((self.dir / INDEX).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"the archive's index cannot be read ({exc})",
                file=self.dir / INDEX,
                hint="restore it from a backup, or move it away: each week is then read from its own name",
            ) from None
        files = raw.get("files", []) if isinstance(raw, dict) else []
        return [e for e in files if isinstance(e, dict)]

    def current(self, flow_list: tuple[str, ...] = ("X", "M")) -> list[Kept]:
        """The newest version of every archived week of ``flow_list``, oldest week first (exports before
        imports within a week)."""
        found: dict[str, Kept] = {}
        for e in self._index():  # in the order archived: a later version replaces an earlier one
            path = self.dir / str(e.get("file", ""))
            if not (path.is_file() and path.parent == self.dir):
                continue
            sha, size = str(e.get("sha256", "")), int(e.get("size", -1))
            if path.stat().st_size != size:  # changed since archived: what it holds now is what counts
                sha, size = _sha256_file(path), path.stat().st_size
            found[str(e["name"])] = Kept(
                str(e["name"]),
                path,
                sha,
                size,
                str(e.get("archived_at", "")),
                str(e.get("url", "")),
                str(e.get("fetched_from", "")),
            )
        if self.dir.is_dir():  # files put here by hand (or an index lost): their own name is their version
            for path in self.dir.glob("*.zip"):
                if path.name not in found and "." not in path.name.removesuffix(".zip"):
                    found[path.name] = Kept(path.name, path, _sha256_file(path), path.stat().st_size, "")
        kept = [k for k in found.values() if weekly.parse(k.name) is not None]
        kept = [k for k in kept if k.period.flow in flow_list]
        return sorted(kept, key=lambda k: (k.period.last, k.period.first, k.period.flow != "X", k.name))

    def newest(self, flow: str) -> dt.date | None:
        """The last day of the newest archived week of ``flow`` (``X``/``M``), or None."""
        weeks = [k.period.last for k in self.current((flow,)) if k.period.kind == "week"]
        return max(weeks) if weeks else None

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the archive for writing; a second writer (two ``update`` runs at once) is refused."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / _LOCK).open("a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ConfigError(
                    "another comercio process is writing the archive",
                    file=self.dir,
                    hint="wait for it to finish; a cron job should not start before the previous one ends",
                ) from None
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def put(self, fetched: FetchedFile, name: str) -> tuple[str, Path]:
        """Keep a fetched file under ``name``: ``("archived", path)`` when new, ``("same", path)`` when a
        version with these bytes is already kept, ``("variant", path)`` when it differs from what is kept
        (the new bytes go beside it as ``<stem>.<sha12>.zip``). A zip that does not open is refused with
        :class:`DownloadError`. Call it inside :meth:`writing`."""
        _check_zip(fetched, name)
        first = self.path(name)
        beside = self.dir / f"{name.removesuffix('.zip')}.{fetched.sha256[:12]}.zip"
        same = next((p for p in (first, beside) if p.is_file() and _sha256_file(p) == fetched.sha256), None)
        if same is not None:
            latest = [e for e in self._index() if e.get("name") == name]
            if latest and latest[-1].get("file") != same.name:  # the publisher went back to these bytes
                self._append(fetched, name, same)
            return "same", same
        dest = beside if first.is_file() else first
        _place(fetched.path, dest)
        self._append(fetched, name, dest)
        return ("variant" if dest == beside else "archived"), dest

    def _append(self, fetched: FetchedFile, name: str, dest: Path) -> None:
        """Record ``dest`` as the newest version of ``name`` in the index."""
        entry = {
            "name": name,
            "file": dest.name,
            "sha256": fetched.sha256,
            "size": fetched.size,
            "archived_at": _now(),
            "url": fetched.url,
            "fetched_from": fetched.fetched_from,
        }
        _write_json_atomic(self.dir / INDEX, {"source": SOURCE, "files": [*self._index(), entry]})


def _check_zip(fetched: FetchedFile, name: str) -> None:
    """Refuse a file that is not a complete zip holding at least one readable member; a web page instead of
    a zip (how some servers answer for a file they do not have) is :class:`NotOffered`."""
    with fetched.path.open("rb") as fh:
        head = fh.read(512).lstrip()
    if not head.startswith(b"PK") and head[:1] == b"<":
        raise NotOffered(
            "the server answered with a web page, not a zip",
            file=name,
            url=fetched.fetched_from or fetched.url,
        )
    try:
        with zipfile.ZipFile(fetched.path) as zf:
            if not zf.namelist():
                reason = "the zip holds no file"
            else:
                bad = zf.testzip()
                reason = "" if bad is None else f"member {bad} fails its CRC check"
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        reason = f"not a complete zip ({exc})"
    if reason:
        raise DownloadError(
            f"{reason}; not archived",
            file=name,
            url=fetched.fetched_from or fetched.url,
            hint="the download or the mirror's copy is damaged; the next fetch or update tries it again",
        )


def _place(src: Path, dest: Path) -> None:
    """Put a copy of ``src`` at ``dest`` atomically (a hard link when the file system allows it)."""
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
    try:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass
class FetchReport:
    """What a fetch of weekly files did, name by name."""

    archived: list[Kept] = field(default_factory=list)
    variants: list[tuple[str, Path]] = field(default_factory=list)
    same: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    missing: list[tuple[str, str, str]] = field(default_factory=list)  # name, by whom, why
    refused: list[DownloadError] = field(default_factory=list)

    @property
    def new(self) -> bool:
        """Whether the archive gained a file."""
        return bool(self.archived or self.variants)

    def lines(self, *, quiet: bool = False) -> list[str]:
        """One line per file; ``quiet`` (``update``): only what changed or failed."""
        out = [f"{k.name}: archived — {k.size:,} bytes, sha256 {k.sha256[:12]}…" for k in self.archived] + [
            f"{name}: differs from the archived copy; the new bytes are kept beside it as {path.name} "
            "(the newer version is the one ingested)"
            for name, path in self.variants
        ]
        out += [f"{e.file}: refused — {e.reason}" for e in self.refused]
        if quiet:
            return out
        out += [f"{name}: fetched again, same bytes as the archived copy" for name in self.same]
        out += [f"{name}: not offered by the {where} ({why})" for name, where, why in self.missing]
        if self.already:
            out.append(
                f"{len(self.already)} weekly file(s) already archived, not fetched again "
                f"({self.already[0]} … {self.already[-1]}; --force fetches them again)"
            )
        return out

    def raise_refused(self) -> None:
        """Raise the first refusal (after the rest was archived and reported)."""
        if self.refused:
            first = self.refused[0]
            more = f" (and {len(self.refused) - 1} more refused)" if len(self.refused) > 1 else ""
            raise DownloadError(first.reason + more, file=first.file, url=first.url, hint=first.hint)


def fetch_weeks(
    settings: Settings,
    start: dt.date,
    end: dt.date,
    flow_list: tuple[str, ...],
    *,
    force: bool = False,
    progress: bool = True,
    strict: bool = True,
    http: HttpOptions | None = None,
    today: dt.date | None = None,
) -> FetchReport:
    """Fetch the weekly files of ``start`` … ``end`` (weeks ending after today do not exist yet) into the
    archive, from the publisher or ``COMERCIO_MIRROR``.

    A file not offered (gone, or not yet published) is reported; with ``strict``, a range that calls for
    no week, or whose files are all missing, is an error.
    """
    if end < start:
        raise ConfigError(f"--to {end.isoformat()} is before --from {start.isoformat()}", field="--to")
    today = today or dt.date.today()
    if strict and start > today:
        raise ConfigError(f"--from {start.isoformat()} is after today ({today.isoformat()})", field="--from")
    end = min(end, today)
    wanted = names(start, end, flow_list) if start <= end else []
    report = FetchReport()
    if not wanted:
        if strict:
            raise ConfigError(
                f"no week (Monday to Sunday) ends between {start.isoformat()} and {end.isoformat()}: "
                "nothing to fetch",
                field="--to",
                hint="weekly files exist only for weeks that have ended",
            )
        return report
    src = get_source(SOURCE)
    archive = Archive(settings)
    with (
        archive.writing(),
        session(settings, progress=progress, http=http) as s,
        counting(s.bar, SOURCE, len(wanted)) as step,
    ):
        for name in wanted:
            _fetch_one(archive, s, src.weekly_resource(name), force, report)
            step()
    if strict and wanted and not (report.new or report.same or report.already or report.refused):
        first, last = wanted[0], wanted[-1]
        raise DownloadError(
            f"none of the {len(wanted)} weekly files {first} … {last} is offered "
            f"by the {report.missing[0][1]} ({report.missing[0][2]})",
            hint=f"{_KEEP_HINT}; check the dates, or COMERCIO_MIRROR",
        )
    return report


def _fetch_one(archive: Archive, s: Session, resource: Resource, force: bool, report: FetchReport) -> None:
    name = resource.key
    if not force and archive.has(name):
        report.already.append(name)
        return
    try:
        got = s.fetch(resource, source=SOURCE, force=force)
    except NotOffered as exc:
        if s.settings.mirror:
            report.missing.append((name, "mirror", f"no {resource.mirror_path}"))
        else:
            report.missing.append((name, "publisher", exc.reason))
        return
    try:
        status, path = archive.put(got, name)
    except DownloadError as exc:
        got.path.unlink(missing_ok=True)  # a damaged copy must not be served from the cache next time
        if isinstance(exc, NotOffered):
            report.missing.append((name, "mirror" if s.settings.mirror else "publisher", exc.reason))
        else:
            report.refused.append(exc)
        return
    if status == "archived":
        report.archived.append(Kept(name, path, got.sha256, got.size, got.retrieved_at, got.url))
    elif status == "variant":
        report.variants.append((name, path))
    else:
        report.same.append(name)
