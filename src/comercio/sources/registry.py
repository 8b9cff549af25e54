"""Every source comercio knows, as data: how its files are fetched and which reader loads them.

Each :class:`Source` is one publisher's dataset: the files (:class:`Resource`) that make it up (where the
publisher serves each file, and where a mirror, ``COMERCIO_MIRROR``, keeps its copy), the warehouse dataset it
feeds and the module whose :class:`~comercio.sources.protocol.Reader` loads them. The sources are declared
in ``data/sources.toml``, the only registry: nothing registers itself on import, and adding a source is its
reader module (with a ``READER``), one entry in that file and its test. Keeping the
addresses here, and nowhere else, means a moved publisher page is a one-line fix and the downloader stays
generic.

Mirror convention: ``mirror_path`` is the file's path under the mirror root (``../shared/data`` in tests and
the offline demo). Several resources may share one ``mirror_path`` when the mirror keeps in one file what the
publisher serves in several requests (BCRP's API answers at most ten series per request, the mirror holds all
27 departmental series in one CSV); the downloader then fetches that mirror file once. Readers must therefore
accept either the publisher's pieces or the mirror's single file, and sniff the format rather than trust the
extension.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comercio.errors import ConfigError

if TYPE_CHECKING:
    from comercio.sources.protocol import Reader

DECLARATIONS = Path(__file__).resolve().parent / "data" / "sources.toml"
BCRP_API = "https://estadisticas.bcrp.gob.pe/estadisticas/series/api"

BCRP_MAX_SERIES_PER_REQUEST = 10


@dataclass(frozen=True)
class Resource:
    """One file of a source.

    key: short identifier, unique within its source (``g1``, ``departments_1``).
    url: the publisher's address for the file.
    mirror_path: the file's path under a mirror root (directory or base URL).
    filename: name of the file in the download cache when fetched from the publisher.
    description: what the file holds, for ``comercio sources`` and error messages.
    optional: fetched only when asked (``include_optional``); absent from the reference mirror.
    """

    key: str
    url: str
    mirror_path: str
    filename: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class Source:
    """A publisher's dataset: its files, the warehouse dataset they feed (``None``: reference data) and the
    reader that loads them (``None``: the files are only kept in the download cache).

    A source without resources is not downloaded: its files are given to ``comercio ingest``, unless it
    declares ``weekly``: a template of the files it publishes one per period (``{name}`` in its url, mirror
    path and description), fetched into the user's archive (:mod:`comercio.sources.archive`). ``build``
    marks the sources ``comercio build`` fetches and ingests, in registry order. ``declared_reader`` is a
    :class:`Reader` or the name of the module whose ``READER`` it is, imported on first use of
    :attr:`reader` (so listing the sources, e.g. for ``--help``, imports no reader).
    """

    name: str
    title: str
    publisher: str
    resources: tuple[Resource, ...]
    dataset: str | None
    declared_reader: Reader | str | None = None
    build: bool = False
    weekly: Resource | None = None

    @cached_property
    def reader(self) -> Reader | None:
        """The reader that loads this source's files (None: they are only kept in the download cache)."""
        r = self.declared_reader
        return _reader(r) if isinstance(r, str) else r

    def weekly_resource(self, name: str) -> Resource:
        """The resource for one of the periodic files of ``weekly`` (``name`` such as ``x15210626.zip``)."""
        if self.weekly is None:
            raise ConfigError(f"source {self.name!r} publishes no weekly files")
        t = self.weekly
        return Resource(
            key=name,
            url=t.url.replace("{name}", name),
            mirror_path=t.mirror_path.replace("{name}", name),
            filename=name,
            description=t.description.replace("{name}", name),
        )

    def resource(self, key: str) -> Resource:
        """The resource called ``key``; unknown keys raise :class:`ConfigError` listing the known ones."""
        for res in self.resources:
            if res.key == key:
                return res
        known = ", ".join(r.key for r in self.resources)
        raise ConfigError(f"source {self.name!r} has no resource {key!r}; known: {known}")


def bcrp_series_url(codes: list[str], start: str, end: str, fmt: str = "json") -> str:
    """BCRPData API address: ``api/<code-code-…>/<format>/<start>/<end>`` (monthly periods as ``2005-1``)."""
    if not 1 <= len(codes) <= BCRP_MAX_SERIES_PER_REQUEST:
        raise ConfigError(
            f"BCRPData takes 1 to {BCRP_MAX_SERIES_PER_REQUEST} series a request, got {len(codes)}"
        )
    return f"{BCRP_API}/{'-'.join(codes)}/{fmt}/{start}/{end}"


def _series_range(prefix: str, first: int, last: int, suffix: str) -> list[str]:
    return [f"{prefix}{n}{suffix}" for n in range(first, last + 1)]


def _chunks(codes: list[str], size: int) -> list[list[str]]:
    return [codes[i : i + size] for i in range(0, len(codes), size)]


def _bcrp_resources() -> tuple[Resource, ...]:
    departments = _series_range("RD", 38085, 38111, "BM")  # 24 departments + Callao + No registrado + Total
    mirror_csv = "bcrp/exports_by_department_monthly_2005_2022.csv"
    parts = _chunks(departments, BCRP_MAX_SERIES_PER_REQUEST)
    resources = [
        Resource(
            key=f"departments_{i}",
            url=bcrp_series_url(chunk, "2005-1", "2022-12"),
            mirror_path=mirror_csv,
            filename=f"exports_by_department_{i}.json",
            description=(
                f"Exports FOB by department, US$ millions, monthly, series {chunk[0]}…{chunk[-1]} "
                f"(part {i} of {len(parts)}; the mirror holds all parts in one CSV)"
            ),
        )
        for i, chunk in enumerate(parts, start=1)
    ]
    national = _series_range("PN", 38714, 38723, "BM")
    resources.append(
        Resource(
            key="national_trade",
            url=bcrp_series_url(national, "2005-1", f"{date.today().year}-12"),
            mirror_path="bcrp/national_trade_monthly.json",
            filename="national_trade_monthly.json",
            description="National monthly exports, imports and trade balance, series PN38714BM…PN38723BM",
            optional=True,
        )
    )
    return tuple(resources)


COMPUTED_FILES: dict[str, Callable[[], tuple[Resource, ...]]] = {"bcrp_resources": _bcrp_resources}


def _files(name: str, entry: Mapping[str, Any], bases: Mapping[str, str]) -> tuple[Resource, ...]:
    files = entry.get("files", ())
    if isinstance(files, str):
        return COMPUTED_FILES[files]()
    try:
        return tuple(
            Resource(
                key=f["key"],
                url=f["url"].format(**bases),
                mirror_path=f["mirror_path"],
                filename=f["filename"],
                description=f["description"],
                optional=bool(f.get("optional", False)),
            )
            for f in files
        )
    except (KeyError, ValueError) as exc:
        raise ConfigError(
            f"source {name!r}: a file entry is incomplete ({exc})", file=str(DECLARATIONS)
        ) from None


def _weekly(name: str, entry: Mapping[str, Any], bases: Mapping[str, str]) -> Resource | None:
    t = entry.get("weekly")
    if t is None:
        return None
    try:
        return Resource(
            "{name}", t["url"].format(**bases, name="{name}"), t["mirror_path"], "{name}", t["description"]
        )
    except (KeyError, ValueError) as exc:
        raise ConfigError(
            f"source {name!r}: its weekly entry is incomplete ({exc})", file=str(DECLARATIONS)
        ) from None


def _reader(name: str) -> Reader:
    """The ``READER`` of ``comercio.sources.<name>`` (a declared module, imported by name)."""
    from comercio.sources.protocol import Reader

    reader = getattr(import_module(f"comercio.sources.{name}"), "READER", None)
    if not isinstance(reader, Reader):
        raise ConfigError(f"comercio.sources.{name} has no READER", file=str(DECLARATIONS))
    return reader


def _sources() -> dict[str, Source]:
    raw = tomllib.loads(DECLARATIONS.read_text(encoding="utf-8"))
    bases: dict[str, str] = raw.pop("bases")
    return {
        name: Source(
            name=name,
            title=entry["title"],
            publisher=entry["publisher"],
            resources=_files(name, entry, bases),
            dataset=entry.get("dataset"),
            declared_reader=entry.get("reader"),
            build=bool(entry.get("build", False)),
            weekly=_weekly(name, entry, bases),
        )
        for name, entry in raw.items()
    }


SOURCES: dict[str, Source] = _sources()


def get_source(name: str) -> Source:
    """The source called ``name``; an unknown name raises :class:`ConfigError` listing the known ones."""
    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise ConfigError(
            f"unknown source {name!r}; known sources: {known}", hint="see `comercio fetch --help`"
        ) from None


BUILD_SOURCES: tuple[str, ...] = tuple(s.name for s in SOURCES.values() if s.build)
"""What `comercio build` fetches and ingests, in order."""

__all__ = ["BUILD_SOURCES", "SOURCES", "Resource", "Source", "bcrp_series_url", "get_source"]
