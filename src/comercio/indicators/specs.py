"""Frozen, serialisable indicator specs: windows, comparisons, groupings and filters.

Specs are data. They say *what* to compute; :mod:`comercio.indicators.engine` compiles them to Ibis
expressions that run on DuckDB or Spark. Every method returns a new spec (``dataclasses.replace``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any, Literal

from comercio.errors import ConfigError
from comercio.reference import dimensions

WindowKind = Literal["month", "ytd", "rolling12", "year", "range"]
WINDOW_KINDS: tuple[str, ...] = ("month", "ytd", "rolling12", "year", "range")


def month_start(value: str | date) -> date:
    """Parse ``YYYY-MM`` (or a date) into the first day of that month."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        parts = text.split("-")
        year, month = int(parts[0]), int(parts[1])
        return date(year, month, 1)
    except (ValueError, IndexError):
        raise ConfigError(f"not a month: {value!r}", hint="use YYYY-MM, e.g. 2022-11") from None


def add_months(d: date, n: int) -> date:
    index = d.year * 12 + (d.month - 1) + n
    if not 1 <= index // 12 <= 9999:  # a window or its comparison reaching before year 1
        raise ConfigError(
            f"{d.year:04d}-{d.month:02d} {n:+d} months falls outside the calendar",
            hint="choose a later month",
        )
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Window:
    """A span of whole months ending at ``end`` (first day of the last month)."""

    kind: WindowKind
    end: date
    start_: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in WINDOW_KINDS:
            raise ConfigError(f"unknown window kind {self.kind!r}; choose {', '.join(WINDOW_KINDS)}")
        if self.kind == "range" and (self.start_ is None or self.start_ > self.end):
            raise ConfigError("a custom range needs a start month not after its end month")

    @classmethod
    def month(cls, m: str | date) -> Window:
        return cls("month", month_start(m))

    @classmethod
    def ytd(cls, m: str | date) -> Window:
        return cls("ytd", month_start(m))

    @classmethod
    def rolling12(cls, m: str | date) -> Window:
        return cls("rolling12", month_start(m))

    @classmethod
    def year(cls, y: int) -> Window:
        return cls("year", date(int(y), 12, 1))

    @classmethod
    def range(cls, start: str | date, end: str | date) -> Window:
        return cls("range", month_start(end), month_start(start))

    @property
    def start(self) -> date:
        if self.kind == "month":
            return self.end
        if self.kind in ("ytd", "year"):
            return date(self.end.year, 1, 1)
        if self.kind == "rolling12":
            return add_months(self.end, -11)
        assert self.start_ is not None
        return self.start_

    @property
    def n_months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def months(self) -> list[date]:
        return [add_months(self.start, i) for i in range(self.n_months)]

    def shifted(self, years: int) -> Window:
        """The same window ``years`` earlier (negative) or later (positive)."""
        start = None if self.start_ is None else add_months(self.start_, 12 * years)
        return Window(self.kind, add_months(self.end, 12 * years), start)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Window:
        kind = d["kind"]
        end = date.fromisoformat(d["end"])
        start = date.fromisoformat(d["start"]) if kind == "range" else None
        return cls(kind, end, start)


@dataclass(frozen=True)
class Comparison:
    """Compare with the same window ``years`` earlier."""

    years: int = 1

    def __post_init__(self) -> None:
        if self.years < 1:
            raise ConfigError("a comparison goes back at least one year")

    def window(self, w: Window) -> Window:
        return w.shifted(-self.years)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": "same_window", "years": self.years}


SCHEMED = ("macroregion", "continent")  # the derivations a grouping's scheme applies to


@dataclass(frozen=True)
class Grouping:
    """Group by a dimension of :mod:`comercio.reference.dimensions`.

    ``scheme`` names a version of the dimension (the macroregion grouping ``mincetur`` or ``adex``, the
    continent column ``continent`` or ``subcontinent``; the dimension's default when None); ``level`` cuts the
    sector tree at that depth.
    """

    dimension: str = "national"
    scheme: str | None = None
    level: int | None = None

    def __post_init__(self) -> None:
        if self.dimension not in dimensions.BY_NAME:
            raise ConfigError(
                f"unknown grouping {self.dimension!r}; choose one of {', '.join(dimensions.NAMES)}"
            )
        if self.scheme is not None and dimensions.BY_NAME[self.dimension].derive not in SCHEMED:
            raise ConfigError(
                f"grouping {self.dimension!r} has no scheme (got {self.scheme!r}); only "
                f"{' and '.join(SCHEMED)} take one, e.g. macroregion:mincetur",
                field="grouping",
            )

    @property
    def label(self) -> str:
        return self.dimension if self.scheme is None else f"{self.dimension}:{self.scheme}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Filters:
    """Row filters applied before grouping."""

    flow: str = "X"
    basket: str | None = None
    basket_path: str | None = None  # keep rows whose basket path starts with this
    departments: tuple[str, ...] = ()
    region_groups: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    customs_offices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.flow not in ("X", "M"):
            raise ConfigError(f"flow must be X (exports) or M (imports), not {self.flow!r}")

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Spec:
    """What to compute: a window, a comparison, a grouping, filters and (optionally) a dataset."""

    window: Window
    grouping: Grouping = field(default_factory=Grouping)
    filters: Filters = field(default_factory=Filters)
    comparison: Comparison | None = field(default_factory=Comparison)
    dataset: str | None = None

    def with_window(self, window: Window) -> Spec:
        return replace(self, window=window)

    def with_grouping(self, grouping: Grouping) -> Spec:
        return replace(self, grouping=grouping)

    def with_filters(self, **changes: Any) -> Spec:
        return replace(self, filters=replace(self.filters, **changes))

    def with_dataset(self, dataset: str | None) -> Spec:
        return replace(self, dataset=dataset)

    def as_dict(self) -> dict[str, Any]:
        return {
            "window": self.window.as_dict(),
            "grouping": self.grouping.as_dict(),
            "filters": self.filters.as_dict(),
            "comparison": None if self.comparison is None else self.comparison.as_dict(),
            "dataset": self.dataset,
        }


def parse_window(text: str) -> Window:
    """Parse ``ytd:2022-11``, ``rolling12:…``, ``month:…``, ``year:2022`` or ``range:2021-06:2022-05``."""
    kind, _, rest = text.partition(":")
    if kind == "year":
        try:
            return Window.year(int(rest))
        except ValueError:
            raise ConfigError(f"not a year: {rest!r}") from None
    if kind == "range":
        start, _, end = rest.partition(":")
        return Window.range(start, end)
    if kind in ("month", "ytd", "rolling12"):
        return Window(kind, month_start(rest))  # type: ignore[arg-type]
    raise ConfigError(
        f"unknown window {text!r}", hint="use ytd:YYYY-MM, rolling12:YYYY-MM, month:…, year:YYYY"
    )
