"""World-trade claims ("las exportaciones mundiales de productos metalmecánicos", "Asia … 51 %"), read from
the facts of the WTO part of the sector study (:func:`comercio.indicators.wto.world_facts`), for a study
basket in its WTO form; the basket is named on every claim (SNI's broad definition is not WTO's group)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from comercio import reference
from comercio.indicators import wto
from comercio.indicators.facts import FactSet

if TYPE_CHECKING:
    from comercio.check.claims import Reading
    from comercio.check.verify import Checker, Computed, Variant


def world_value(ch: Checker, r: Reading, v: Variant) -> Computed:
    """The world figure of ``r`` in the year of ``v``'s window."""
    from comercio.check.verify import Computed, Unsupported

    s = r.subject
    assert s is not None
    if v.window.kind != "year":
        raise Unsupported("WTO merchandise values are annual: a world figure is checked for a calendar year")
    study = s.basket
    if study not in reference.basket_studies():
        raise Unsupported(
            "world figures are checked for a study basket (" + ", ".join(reference.basket_studies()) + ")"
        )
    form = next((f for f in reference.basket_forms(study, "group") if f.form == "wto"), None)
    if form is None:
        raise Unsupported(f"the basket {study!r} has no WTO product group")
    year, side = v.window.end.year, "imports" if s.flow == "M" else "exports"
    facts = _facts(ch, form, year - 1 if r.measure == "growth" else year, year)
    parts = {"side": side, "year": str(year)}
    if r.measure == "value" and s.kind == "world":
        value = facts.value("world.{side}.value.{year}", **parts)
    elif r.measure == "growth" and s.kind == "world":
        now, before = (
            facts.value("world.{side}.value.{year}", side=side, year=str(y)) for y in (year, year - 1)
        )
        value = now / before - 1 if now is not None and before else None
    elif r.measure == "share" and s.kind == "continent":
        value = facts.value("world.{side}.share.{continent}.{year}", continent=s.code or "", **parts)
    elif r.measure == "share" and s.kind == "world":
        family = (
            "world.share_of_manufactures.{year}"
            if r.denominator == "manufactures"
            else "world.share_of_trade.{year}"
        )
        value = facts.value(family, year=str(year))
    else:
        raise Unsupported(f"no world {r.measure} for a {s.kind}")
    if value is None:
        raise Unsupported(f"the WTO facts of {form.name()} give no such figure for {year}")
    found = next(iter(facts), None)
    vintages = found.vintages if found is not None else ()
    return Computed(float(value), wto.DATASET, tuple(vintages), bool(found and found.synthetic), form.name())


def _facts(ch: Checker, form: reference.BasketForm, first: int, last: int) -> FactSet:
    def build() -> FactSet:
        fs, _ = wto.world_facts(ch.wh, form, [], world_from=first, last_year=last, peers=(), engine=ch.engine)
        return fs

    found: FactSet = ch._cached(("wto", form.code, first, last), build)
    return found
