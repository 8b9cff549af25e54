"""What a new vintage drops or adds compared with the current one: members, years, months, value, rows.

:func:`profile` summarises a vintage's Parquet files (value per period, value per member of the declared
columns); :func:`compare` sets two profiles side by side. The loader refuses a load that shrinks beyond its
contract (``--accept-shrink`` lets it through) and ``comercio diff`` prints the same comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from comercio.warehouse import schema
from comercio.warehouse.contracts import Shrink, contract, scratch


@dataclass(frozen=True)
class Profile:
    """One vintage in brief: rows, value per period (tree tables: their top level) and per member and year
    (year None when the dataset has no period column)."""

    rows: int
    periods: dict[Any, float] = field(default_factory=dict)
    members: dict[str, dict[tuple[int | None, str], float]] = field(default_factory=dict)
    value: float = 0.0

    @property
    def years(self) -> set[int]:
        return {_year(k) for k in self.periods}


def profile(files: Sequence[Path], shrink: Shrink, *, value: str | None, tree: bool) -> Profile:
    """Profile the Parquet ``files`` of one vintage for the columns ``shrink`` names."""
    if not files:
        return Profile(0)
    with scratch() as con:
        return _profile(con, files, shrink, value=value, tree=tree)


def _profile(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], shrink: Shrink, *, value: str | None, tree: bool
) -> Profile:
    if not files:
        return Profile(0)
    scan = f"read_parquet({[str(f) for f in files]!r})"
    names = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
    v = f'coalesce(sum("{value}"), 0)' if value in names else "0"
    top = " WHERE level = 0" if tree and "level" in names else ""
    rows = int(con.execute(f"SELECT count(*) FROM {scan}").fetchall()[0][0])
    total = float(con.execute(f"SELECT {v} FROM {scan}{top}").fetchall()[0][0])
    periods: dict[Any, float] = {}
    if shrink.period in names:
        p = f'"{shrink.period}"'
        query = f"SELECT {p}, {v} FROM {scan}{top} GROUP BY ALL"
        periods = {k: float(x) for k, x in con.execute(query).fetchall() if k is not None}
    year = "NULL"
    if shrink.period in names:
        year = f'year("{shrink.period}")' if shrink.period != "year" else '"year"'
    members = {
        col: {
            (y, str(k)): float(x)
            for y, k, x in con.execute(f'SELECT {year}, "{col}", {v} FROM {scan} GROUP BY ALL').fetchall()
        }
        for col in shrink.members
        if col in names
    }
    return Profile(rows, periods, members, total)


def usd(value: float) -> str:
    """US$ millions with one decimal and thin-space thousands, as in the messages: ``US$ 73 593.9 M``."""
    return "US$ " + f"{value / 1e6:,.1f}".replace(",", " ") + " M"


def _member(column: str, value: str) -> str:
    return value.rsplit(" > ", 1)[-1] if column == "path" else value


def _year(k: Any) -> int:
    return k.year if isinstance(k, date) else int(k)


@dataclass(frozen=True)
class Dropped:
    """A member the new vintage no longer has: everywhere (``years`` empty) or in years it still covers."""

    column: str
    member: str
    years: tuple[int, ...]
    value: float

    def __str__(self) -> str:
        name = _member(self.column, self.member)
        if not self.years:
            return f"drops member {name} ({self.column}, {usd(self.value)})"
        return f"drops member {name} ({self.column}) in {', '.join(map(str, self.years))} ({usd(self.value)})"


@dataclass(frozen=True)
class Comparison:
    """``new`` against ``old``: what is gone, what is new, and the value over the periods both hold."""

    old: Profile
    new: Profile
    dropped_periods: list[tuple[Any, float]]
    added_periods: list[Any]
    dropped_members: list[Dropped]
    added_members: dict[str, list[str]]
    old_common: float
    new_common: float
    notes: tuple[str, ...] = ()  # e.g. the lines of other slices a load would correct

    @property
    def first(self) -> bool:
        """No current vintage to compare with (a current vintage always has rows)."""
        return not self.old.rows

    @property
    def value_change(self) -> float | None:
        """Relative change of value over the common periods (None when the old value is 0)."""
        return (self.new_common - self.old_common) / self.old_common if self.old_common else None

    def _periods(self, items: list[tuple[Any, float]], verb: str) -> list[str]:
        by_year: dict[int, list[tuple[Any, float]]] = {}
        for k, x in items:
            by_year.setdefault(_year(k), []).append((k, x))
        kept = self.new.years
        out = []
        for year, months in sorted(by_year.items()):
            total = sum(x for _, x in months)
            if year not in kept and isinstance(months[0][0], date):
                out.append(f"{verb} {year} ({len(months)} months, {usd(total)})")
            elif isinstance(months[0][0], date):
                names = ", ".join(f"{k:%Y-%m}" for k, _ in sorted(months))
                out.append(f"{verb} {names} ({usd(total)})")
            else:
                out.append(f"{verb} {year} ({usd(total)})")
        return out

    def shrinks(self, rules: Shrink) -> list[str]:
        """What shrank beyond ``rules``, one phrase each (empty: the new vintage may replace the old)."""
        out = self._periods(self.dropped_periods, "drops")
        out += [str(d) for d in self.dropped_members[:10]]
        if len(self.dropped_members) > 10:
            out.append(f"and {len(self.dropped_members) - 10} more members")
        change = self.value_change
        if rules.value_share is not None and change is not None and -change > rules.value_share:
            out.append(
                f"value falls {-change:.1%} ({usd(self.old_common)} → {usd(self.new_common)}, "
                f"more than the {rules.value_share:.0%} allowed)"
            )
        old, new = self.old.rows, self.new.rows
        if rules.rows_share is not None and old and (old - new) / old > rules.rows_share:
            out.append(f"rows fall from {old:,} to {new:,} (more than the {rules.rows_share:.0%} allowed)")
        return out

    def lines(self) -> list[str]:
        """Every difference, for ``comercio diff``."""
        out = self._periods(self.dropped_periods, "drops")
        out += (
            [f"adds {', '.join(_period(k) for k in sorted(self.added_periods))}"]
            if self.added_periods
            else []
        )
        out += [str(d) for d in self.dropped_members]
        for col, new in self.added_members.items():
            out += [f"adds member {_member(col, m)} ({col})" for m in new]
        if self.value_change is not None:
            out.append(
                f"value over the periods both hold: {usd(self.old_common)} → {usd(self.new_common)} "
                f"({self.value_change:+.2%})"
            )
        out.append(f"rows: {self.old.rows:,} → {self.new.rows:,}")
        return out + list(self.notes)


def _period(k: Any) -> str:
    return f"{k:%Y-%m}" if isinstance(k, date) else str(k)


def compare(old: Profile, new: Profile) -> Comparison:
    """Set ``new`` against ``old``."""
    dropped = sorted((k, x) for k, x in old.periods.items() if k not in new.periods)
    added = sorted(k for k in new.periods if k not in old.periods)
    common = [k for k in old.periods if k in new.periods]
    old_common = sum(old.periods[k] for k in common) if old.periods else old.value
    new_common = sum(new.periods[k] for k in common) if old.periods else new.value
    gone: list[Dropped] = []
    came: dict[str, list[str]] = {}
    kept_years = new.years
    for col, members in old.members.items():
        now = new.members.get(col, {})
        present = {m for _, m in now}
        before = {m for _, m in members}
        lost: dict[str, list[tuple[int | None, float]]] = {}
        for (y, m), x in members.items():
            if (y, m) not in now and (y is None or y in kept_years):  # a dropped year is reported as such
                lost.setdefault(m, []).append((y, x))
        for m, items in lost.items():
            years = () if m not in present else tuple(sorted(y for y, _ in items if y is not None))
            gone.append(Dropped(col, m, years, sum(x for _, x in items)))
        fresh = sorted(present - before)
        if fresh:
            came[col] = fresh
    gone.sort(key=lambda d: -abs(d.value))
    return Comparison(old, new, dropped, added, gone, came, old_common, new_common)


def compare_files(dataset: str, old: Sequence[Path], new: Sequence[Path]) -> Comparison:
    """Compare two sets of Parquet files of ``dataset`` on the columns its contract's shrink rules name."""
    spec = schema.DATASETS.get(dataset)
    rules = contract(dataset).shrink
    value = (spec.value_column or None) if spec is not None else "value_usd"  # "": no value column
    tree = spec is not None and spec.tree
    with scratch() as con:  # one connection for both vintages
        before = _profile(con, old, rules, value=value, tree=tree)
        after = _profile(con, new, rules, value=value, tree=tree)
    return compare(before, after)


__all__ = ["Comparison", "Dropped", "Profile", "compare", "compare_files", "profile", "usd"]
