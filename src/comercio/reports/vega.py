"""Vega-Lite specs to files and markup through vl-convert (no browser, no network).

:func:`to_spec` gives the Vega-Lite JSON (the dashboard embeds it); :func:`render` writes PNG or SVG and
:func:`svg` returns SVG markup, each with the spec's own d3 locales.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

from comercio.errors import ReportError


class LazyModule:
    """A module imported on first attribute use (then every attribute is the module's own).

    Altair and its dependencies take a third of a second to import; ``comercio --help``, a JSON or XLSX
    report and the API's JSON answers draw no chart and so never pay it. The import itself is the normal
    one (thread-safe, and ``import altair`` elsewhere gets the same module).
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)


def lazy_module(name: str) -> Any:
    """``name`` as a :class:`LazyModule` (the module itself when it is already imported)."""
    return sys.modules.get(name) or LazyModule(name)


if TYPE_CHECKING:
    import altair as alt
else:
    alt = lazy_module("altair")

P = ParamSpec("P")
R = TypeVar("R")


def unchecked(build: Callable[P, R]) -> Callable[P, R]:
    """Run a chart builder without Altair's schema check of every object it makes (its debug mode).

    That check validates each wrapper at construction and costs more than the chart; the spec is the same.
    The tests validate every builder's spec against the Vega-Lite schema instead.
    """

    @functools.wraps(build)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with alt.utils.schemapi.debug_mode(False):
            return build(*args, **kwargs)

    return run


class SharedValues:
    """Inline data Altair neither copies nor walks: a chart's ``.encode()``, ``.properties()`` and each layer
    copy every list and dict they hold, which for a map is every coordinate of every department, once per
    call. Wrapped, the rows are one object shared by all copies and handed to the spec as they are (Altair
    reads any object with ``to_dict`` and a ``_schema`` as already converted). The rows must be plain JSON.
    """

    _schema: dict[str, str] = {"type": "array"}

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def to_dict(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return self.rows


def to_spec(chart: alt.TopLevelMixin | Mapping[str, Any], *, validate: bool = False) -> dict[str, Any]:
    """The Vega-Lite JSON of a chart, as used by the dashboard and the writers.

    The JSON-schema check costs more than building the chart, so it is off on the report path; the tests
    validate every builder's spec (``validate=True``), and vl-convert refuses a malformed spec anyway.
    """
    if isinstance(chart, Mapping):
        return dict(chart)
    spec: dict[str, Any] = chart.to_dict(validate=validate)
    return spec


def render(
    chart: alt.TopLevelMixin | Mapping[str, Any],
    path: Path,
    fmt: Literal["png", "svg"] = "png",
    *,
    scale: float = 2,
) -> Path:
    """Write a chart to PNG or SVG with vl-convert (no browser, no network) and return the path."""
    spec = to_spec(chart)
    kwargs = _vl_options(spec)
    path = Path(path)
    import vl_convert as vlc

    try:
        if fmt == "png":
            path.write_bytes(vlc.vegalite_to_png(spec, scale=scale, **kwargs))
        elif fmt == "svg":
            path.write_text(vlc.vegalite_to_svg(spec, **kwargs), encoding="utf-8")
        else:
            raise ReportError(f"unknown image format {fmt!r}; use 'png' or 'svg'", file=path, field="fmt")
    except (ValueError, OSError) as exc:
        raise ReportError(f"could not render the chart: {exc}", file=path) from exc
    return path


def rasterize(svg: str, path: Path, *, scale: float = 2) -> Path:
    """Write the PNG of an SVG made by :func:`render` (vl-convert's own rasteriser: the same bytes as
    rendering the spec to PNG, without evaluating the chart a second time) and return the path."""
    import vl_convert as vlc

    path = Path(path)
    try:
        path.write_bytes(vlc.svg_to_png(svg, scale=scale))
    except (ValueError, OSError) as exc:
        raise ReportError(f"could not render the chart: {exc}", file=path) from exc
    return path


def _vl_options(spec: Mapping[str, Any]) -> dict[str, Any]:
    """vl-convert options: the spec's own d3 locales and no network access."""
    locale = spec.get("config", {}).get("locale", {})
    return {
        "format_locale": locale.get("number"),
        "time_format_locale": locale.get("time"),
        "allowed_base_urls": [],
    }


def svg(chart: alt.TopLevelMixin | Mapping[str, Any]) -> str:
    """The chart as SVG markup (vl-convert: no browser, no network), for pages that inline it."""
    import vl_convert as vlc

    spec = to_spec(chart)
    try:
        markup: str = vlc.vegalite_to_svg(spec, **_vl_options(spec))
    except ValueError as exc:
        raise ReportError(f"could not render the chart: {exc}") from exc
    return markup
