"""What a claim's computation gives (:class:`Computed`), the definitions it may be computed under
(:class:`Variant`), and what a computing part needs from the checker (:class:`Computer`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from comercio.indicators.specs import Window
from comercio.warehouse import Warehouse


class Computer(Protocol):
    """The checker as its computing parts see it: the warehouse, the engine, the language, a memo."""

    wh: Warehouse
    engine: str | None
    lang: str

    def cached(self, key: Any, build: Callable[[], Any]) -> Any: ...


@dataclass(frozen=True)
class Computed:
    value: float
    dataset: str | None
    vintages: tuple[str, ...]
    synthetic: bool
    basket: str = ""  # the form of the basket the figure was computed on, named in the reason


@dataclass(frozen=True)
class Variant:
    """One way to compute a claim: comercio's definition (``name`` None) or a documented variant."""

    name: str | None
    window: Window
    denominator: str = "national"  # a share's base: national, attributed (no "no registrado"), interior
    scheme: str = "mincetur"  # macroregion grouping
    record: str = "annual"
