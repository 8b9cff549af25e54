"""The one Jinja2 environment of the report narratives: the formatter as filters, the catalogue as ``t``.

Every narrative template (``templates/regional_<lang>.j2``, ``templates/sector/sector_<lang>.j2``) is loaded
from here, so a number reads the same in every report: ``money``, ``pct``, ``spct`` (signed percentage) and
``num`` are :class:`~comercio.reports.fmt.Formatter` methods, nothing else. Reports needing filters of their
own (word choices, joined lists) add them to the environment of their language once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from comercio.i18n import Messages
from comercio.reports.fmt import Formatter

_SPACES = re.compile(r"[ \t\r\n]+")  # ASCII whitespace only: keeps the formatter's U+202F and U+00A0


def formatter_filters(fmt: Formatter) -> dict[str, Callable[[Any], str]]:
    """The formatter as Jinja filters: ``money``, ``pct``, ``spct`` and ``num``."""
    return {
        "money": lambda x: fmt.money(x),
        "pct": lambda x: fmt.pct(x),
        "spct": lambda x: fmt.pct(x, signed=True),
        "num": lambda x: fmt.number(x),
    }


@cache
def environment(lang: str) -> Environment:
    """The narrative environment of ``lang``: plain text (writers escape), strict about missing keys."""
    env = Environment(
        loader=PackageLoader("comercio.reports", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
    )
    env.filters.update(formatter_filters(Formatter(lang)))
    env.globals["t"] = Messages(lang)
    return env


def macros(lang: str, template: str) -> Any:
    """The module of ``template`` (its macros as attributes), rendered in the environment of ``lang``."""
    return environment(lang).get_template(template).module


def prose(text: str) -> str:
    """Rendered text as one paragraph: ASCII whitespace collapsed, the formatter's no-break spaces kept."""
    return _SPACES.sub(" ", text).strip()


__all__ = ["environment", "formatter_filters", "macros", "prose"]
