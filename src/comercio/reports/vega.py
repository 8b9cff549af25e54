"""Vega-Lite specs to files and markup through vl-convert (no browser, no network).

:func:`to_spec` gives the Vega-Lite JSON (the dashboard embeds it); :func:`render` writes PNG or SVG and
:func:`svg` returns SVG markup, each with the spec's own d3 locales.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import altair as alt
import vl_convert as vlc

from comercio.errors import ReportError


def to_spec(chart: alt.TopLevelMixin | Mapping[str, Any]) -> dict[str, Any]:
    """The Vega-Lite JSON of a chart (validated by Altair), as used by the dashboard."""
    if isinstance(chart, Mapping):
        return dict(chart)
    spec: dict[str, Any] = chart.to_dict()
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
    spec = to_spec(chart)
    try:
        markup: str = vlc.vegalite_to_svg(spec, **_vl_options(spec))
    except ValueError as exc:
        raise ReportError(f"could not render the chart: {exc}") from exc
    return markup
