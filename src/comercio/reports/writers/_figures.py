"""Figures rendered once for the static formats (HTML, PDF, Markdown): SVG and PNG through vl-convert."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from comercio.reports.writers._model import Figure, Report


@dataclass(frozen=True)
class RenderedFigure:
    """A figure rendered for the static formats: PNG file (for PDF and for reuse) and inline SVG text."""

    figure: Figure
    png: Path
    svg: str


def render_figures(report: Report, out: Path) -> dict[str, RenderedFigure]:
    """Render every figure of ``report`` into ``out`` as ``figure-<id>.svg`` and ``.png`` and keep its SVG
    text: each chart is evaluated once (to SVG) and the PNG rasterised from that SVG."""
    done: dict[str, RenderedFigure] = {}
    for fig in report.figures():
        svg = draw_svg(fig, out)
        done[fig.id] = RenderedFigure(fig, draw_png(fig.id, svg, out), svg)
    return done


def draw_svg(fig: Figure, out: Path) -> str:
    """Evaluate ``fig``'s chart into ``out/figure-<id>.svg``; returns the SVG text."""
    from comercio.reports.vega import render

    return render(fig.spec, out / f"figure-{fig.id}.svg", "svg").read_text(encoding="utf-8")


def draw_png(fig_id: str, svg: str, out: Path) -> Path:
    """Rasterise a figure's ``svg`` into ``out/figure-<id>.png`` (no chart evaluation); returns the path."""
    from comercio.reports.vega import rasterize

    return rasterize(svg, out / f"figure-{fig_id}.png")
