"""What the regional report's facts are, apart from how they are computed (:mod:`.regional`).

:class:`RegionalFacts` and the families of one member's measures live here, without the engine, so a report
rendered from kept facts (:mod:`comercio.reports.kept`) does not import Ibis; :mod:`.regional` imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from comercio.indicators.facts import FactSet

# "No registrado" jumps from ~0,02 % of the national total to 3-4 % in this year (METHODOLOGY.md §6): interior
# shares on either side of it are not comparable as they stand.
UNREGISTERED_BREAK = 2020


# the families of one member's measures (a measures.Row attribute → fact family)
HEADLINE = {
    "value": "{region_group}.value",
    "previous": "{region_group}.previous",
    "growth": "{region_group}.growth",
    "share": "{region_group}.share",
    "share_previous": "{region_group}.share_previous",
    "contribution": "{region_group}.contribution",
}
NATIONAL = {"value": "national.value", "previous": "national.previous", "growth": "national.growth"}
REGION = {
    "value": "region.{department}.value",
    "previous": "region.{department}.previous",
    "growth": "region.{department}.growth",
    "share": "region.{department}.share",
    "contribution": "region.{department}.contribution",
}
COMPARED = {"growth", "contribution"}  # measures that need the comparison window
BEFORE = {"previous", "share_previous"}  # measures of the comparison window itself
# direction of change (measures.direction) → count key, its families
CHANGES = (
    ("up", "growing", "regions.growing.count", "regions.growing.members"),
    ("down", "declining", "regions.declining.count", "regions.declining.members"),
    ("flat", "flat", "regions.flat.count", "regions.flat.members"),
)
# the report's record definition under regions.record.*, the other one alongside for the methods box
OTHER_RECORDS = {
    "annual": ("same-window", "regions.record_same_window.count", "regions.record_same_window.members"),
    "same-window": ("annual", "regions.record_annual.count", "regions.record_annual.members"),
}


@dataclass
class RegionalFacts:
    """Every figure of the regional report, the sections it could not support and the vintages used."""

    through: date
    grouping: str
    record_definition: str
    facts: FactSet
    omitted: dict[str, str] = field(default_factory=dict)  # section → what data it would need
    datasets: dict[str, list[str]] = field(default_factory=dict)  # dataset → vintages used

    @property
    def synthetic(self) -> bool:
        return self.facts.synthetic

    @property
    def preliminary(self) -> bool:
        """Whether the report's last month is preliminary (:mod:`comercio.indicators.maturity`)."""
        return bool(
            self.facts.get("maturity.latest.completeness") and self.facts.value("maturity.latest.preliminary")
        )
