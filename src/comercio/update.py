"""``comercio update``: fetch the weekly microdata files published since the archive's newest week (and
those of the last weeks still missing), and ingest every archived file the warehouse does not hold yet.

Cron-friendly: idempotent (a second run changes nothing), and quiet: it reports only what it archived or
loaded, so a run with nothing new prints nothing. Weeks not yet published are not an error (they come next
time); a damaged file or a failed load is, after the rest was archived and loaded.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from comercio import ingest as ingest_mod
from comercio.config import Settings
from comercio.errors import ConfigError
from comercio.sources.archive import SOURCE, Archive, FetchReport, Kept, fetch_weeks
from comercio.sources.download import FetchedFile
from comercio.warehouse import Warehouse

__all__ = ["UpdateReport", "ingest_archive", "update"]

_FLOW_WORD = {"X": "exports", "M": "imports"}
RETRY_WEEKS = 9
"""SUNAT keeps a weekly file online about two months: a week of that window missing from the archive (not
yet published when last tried, or refused as damaged) is tried again on every run; an archived one is never
fetched again."""


@dataclass
class UpdateReport:
    """What ``update`` fetched and loaded."""

    fetched: list[FetchReport] = field(default_factory=list)
    ingest: ingest_mod.IngestReport | None = None

    @property
    def loaded(self) -> bool:
        return self.ingest is not None and any(r.status != "unchanged" for r in self.ingest.results)

    def raise_refused(self) -> None:
        """Raise the first file refused by the archive (once the rest was archived, loaded and reported)."""
        for f in self.fetched:
            f.raise_refused()

    def lines(self) -> list[str]:
        """What changed (nothing when nothing is new)."""
        out = [line for f in self.fetched for line in f.lines(quiet=True)]
        if self.ingest is not None and self.loaded:
            out += [r.summary() for r in self.ingest.results if r.status != "unchanged"]
            out += self.ingest.notes
        return out


@contextmanager
def _named(kept: list[Kept]) -> Iterator[list[Path]]:
    """The kept files under their publisher's names: a newer version (``<stem>.<sha12>.zip``) is linked
    under the week's name in a scratch folder, so it loads as a new vintage of the week's slice."""
    if all(k.path.name == k.name for k in kept):
        yield [k.path for k in kept]
        return
    scratch = Path(tempfile.mkdtemp(prefix=".ingest-", dir=kept[0].path.parent))
    try:
        paths = []
        for k in kept:
            if k.path.name == k.name:
                paths.append(k.path)
                continue
            link = scratch / k.name
            try:
                os.link(k.path, link)
            except OSError:
                shutil.copyfile(k.path, link)
            paths.append(link)
        yield paths
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def ingest_archive(
    wh: Warehouse,
    settings: Settings,
    flow_list: tuple[str, ...] = ("X", "M"),
    *,
    progress: bool = False,
    quarantine: bool = False,
    accept_shrink: bool = False,
) -> ingest_mod.IngestReport:
    """Ingest the newest version of every archived week of ``flow_list``, oldest week first; weeks
    already loaded from the same bytes are left as they are."""
    kept = Archive(settings).current(flow_list)
    if not kept:
        raise ConfigError(
            f"the archive holds no {SOURCE} file",
            file=Archive(settings).dir,
            hint=f"run `comercio fetch {SOURCE} --from YYYY-MM-DD` first, or give the files' paths",
        )
    with _named(kept) as paths:
        fetched = [
            FetchedFile(SOURCE, k.name, k.url, p, k.sha256, k.size, k.archived_at, True, "publisher")
            for k, p in zip(kept, paths, strict=True)
            if k.sha256
        ]
        return ingest_mod.ingest(
            wh,
            SOURCE,
            paths,
            settings=settings,
            fetched=fetched,
            quarantine=quarantine,
            accept_shrink=accept_shrink,
            progress=progress,
        )


def update(
    wh: Warehouse,
    settings: Settings,
    flow_list: tuple[str, ...] | None = None,
    *,
    today: dt.date | None = None,
) -> UpdateReport:
    """Fetch, per flow, the weeks after the newest archived one up to ``today``, then ingest what the
    warehouse lacks. ``flow_list`` None: the flows the archive holds. A file refused by the archive (a
    damaged zip) is in the report: :meth:`UpdateReport.raise_refused` raises it."""
    archive = Archive(settings)
    today = today or dt.date.today()
    newest = {f: archive.newest(f) for f in (flow_list or ("X", "M"))}
    if flow_list is None:
        newest = {f: d for f, d in newest.items() if d is not None}
    empty = [f for f, d in newest.items() if d is None]
    if not newest or empty:
        what = " or ".join(_FLOW_WORD[f] for f in empty) or "weekly files"
        raise ConfigError(
            f"the archive holds no {SOURCE} {what} yet, so there is no week to continue from",
            file=archive.dir,
            hint=f"run `comercio fetch {SOURCE} --from YYYY-MM-DD` once first",
        )
    report = UpdateReport()
    for flow, last in newest.items():
        assert last is not None
        # the weeks after the newest archived one, and any missed within the publisher's window
        start = last - dt.timedelta(weeks=RETRY_WEEKS - 1)
        if start <= today:
            got = fetch_weeks(settings, start, today, (flow,), progress=False, strict=False, today=today)
            report.fetched.append(got)
    report.ingest = ingest_archive(wh, settings, tuple(newest), progress=False)
    return report
