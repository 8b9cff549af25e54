"""World-trade claims ("las exportaciones mundiales de productos metalmecánicos", "Asia … 51 %"), read from
the facts of the WTO part of the sector study (:func:`comercio.indicators.wto.world_facts`), for a study
basket in its WTO form; the basket is named on every claim (SNI's broad definition is not WTO's group)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from comercio import reference
from comercio.check._compute import Computed, Computer, Variant
from comercio.check._reasons import Why
from comercio.errors import DataNotAvailable
from comercio.indicators import wto
from comercio.indicators.facts import FactSet

if TYPE_CHECKING:
    from comercio.check.claims import Reading


def world_value(ch: Computer, r: Reading, v: Variant) -> Computed:
    """The world figure of ``r`` in the year of ``v``'s window."""
    s = r.subject
    assert s is not None
    if v.window.kind != "year":
        raise Why("wto_annual")
    studies = reference.basket_studies()
    if s.basket not in studies:
        raise Why("wto_basket", baskets=", ".join(studies))
    form = reference.group_form(s.basket or "", "wto")
    if form is None:
        raise Why("wto_no_group", basket=s.basket)
    year, side = v.window.end.year, "imports" if s.flow == "M" else "exports"
    facts = _facts(ch, form, year - 1 if r.measure == "growth" else year, year, ch.lang)
    parts = {"side": side, "year": str(year)}
    value: float | None
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
        manufactures = r.denominator == "manufactures"
        family = "world.share_of_manufactures.{year}" if manufactures else "world.share_of_trade.{year}"
        value = facts.value(family, year=str(year))
    else:
        raise Why("wto_measure")
    if value is None:
        raise Why("wto_year", year=year, basket=form.name(ch.lang))
    found = next(iter(facts), None)
    vintages = tuple(found.vintages) if found is not None else ()
    synthetic = bool(found is not None and found.synthetic)
    return Computed(float(value), wto.DATASET, vintages, synthetic, form.name(ch.lang))


def _facts(ch: Computer, form: reference.BasketForm, first: int, last: int, lang: str) -> FactSet:
    def build() -> FactSet:
        try:
            fs, _ = wto.world_facts(
                ch.wh, form, [], world_from=first, last_year=last, peers=(), engine=ch.engine
            )
        except DataNotAvailable:
            raise Why("wto_year", year=last, basket=form.name(lang)) from None
        return fs

    found: FactSet = ch.cached(("wto", form.code, first, last, lang), build)
    return found
