"""Processes that draw a report's figures and write its PDF, started before the facts are computed.

A report in all formats spends most of its time where the facts are not needed to start, or where Python
holds one core: importing Altair, vl-convert and WeasyPrint and starting vl-convert's JavaScript runtime
(together about as long as the facts), then vl-convert and WeasyPrint's layout, which hold the GIL.
:func:`start_renderer`, called by a command before it computes the facts, forks a figure process (Altair,
vl-convert and its runtime) and, when a PDF is asked for, a PDF process (WeasyPrint); they import and warm
up while this process computes the facts. :func:`take` hands them to
:func:`~comercio.reports.writers.write_report`, which sends the report to the figure process, writes JSON and
XLSX meanwhile, HTML and Markdown when the figures come back, hands report and figures to the PDF process
and starts the PDF's previews once the PDF is written.

They run the same code as the one-process path (:func:`render_figures`, the PDF writer), so every file is
the same. They are forked before the warehouse is opened (no thread of DuckDB or Spark exists yet), after
the report code is imported (not imported twice), and never once vl-convert is imported; processes never
used end with the command (daemons; their pipes close).
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import sys
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comercio.errors import ReportError

if TYPE_CHECKING:
    from comercio.reports.writers._figures import RenderedFigure
    from comercio.reports.writers._model import Report

log = logging.getLogger(__name__)

FIGURE_FORMATS = frozenset({"html", "pdf", "md"})  # the formats that draw figures
WAIT_S = 600.0  # longest wait for a process's answer (a report's figures and PDF take seconds)
Drawn = Mapping[str, tuple[Mapping[str, Any], str, Path, str]]  # figure id -> spec, alt, PNG path, SVG

_pending: Renderer | None = None


class _Worker:
    """One forked process running ``serve(conn)``, and this side of its pipe."""

    def __init__(self, name: str, serve: Callable[[Connection], None]) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=serve, args=(child,), name=name, daemon=True)
        self.proc.start()
        child.close()

    def receive(self, kind: str) -> Any:
        try:
            if not self.conn.poll(WAIT_S):
                raise ReportError(f"{self.proc.name} gave no answer in {WAIT_S:.0f} s")
            got, payload = self.conn.recv()
        except EOFError as exc:
            raise ReportError(f"{self.proc.name} stopped (exit code {self.proc.exitcode})") from exc
        if got == "error":
            raise payload
        assert got == kind, (got, kind)
        return payload

    def close(self) -> None:
        """Stop the process: once its files are received it has ended; else nothing more is wanted."""
        self.conn.close()
        self.proc.join(timeout=0.5)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join()


class Renderer:
    """This side of the figure and PDF processes (:meth:`send`, :meth:`figures`, :meth:`start_pdf`)."""

    def __init__(self, pdf: bool) -> None:
        self._figures = _Worker("comercio-figures", _serve_figures)
        self._pdf = _Worker("comercio-pdf", _serve_pdf) if pdf else None
        self._report: Report | None = None
        self._out = Path()
        self._written = (Path(), 0)

    def send(self, report: Report, out: Path) -> None:
        """Hand over ``report``: the figure process draws its figures into ``out``."""
        self._report, self._out = report, Path(out)
        self._figures.conn.send((report, self._out))

    def figures(self) -> dict[str, RenderedFigure]:
        """The figures of the report sent (as :func:`render_figures` returns them); its figures take the
        drawn specs and text alternatives, so this process never draws them."""
        assert self._report is not None
        drawn: Drawn = self._figures.receive("figures")
        return adopt(self._report, drawn)

    def start_pdf(self, figures: Mapping[str, RenderedFigure]) -> None:
        """Hand the report sent and its ``figures`` to the PDF process (without one, as when the command
        did not ask for a PDF when it started, the PDF is written here and now)."""
        assert self._report is not None
        if self._pdf is None:
            from comercio.reports.writers.pdf import render

            self._written = render(self._report, self._out, dict(figures))
            return
        drawn = {k: (f.figure.spec, f.figure.alt, f.png, f.svg) for k, f in figures.items()}
        self._pdf.conn.send((self._report, self._out, drawn))

    def pdf(self) -> tuple[Path, int]:
        """The PDF :meth:`start_pdf` asked for, once written (without page previews), and its pages."""
        if self._pdf is None:
            return self._written
        written: tuple[Path, int] = self._pdf.receive("pdf")
        return written

    def close(self) -> None:
        """Stop both processes (at once if they were not used)."""
        for worker in (self._figures, self._pdf):
            if worker is not None:
                worker.close()


def adopt(report: Report, drawn: Drawn) -> dict[str, RenderedFigure]:
    """``report``'s figures as rendered elsewhere: each takes its drawn spec and text alternative."""
    from comercio.reports.writers._figures import RenderedFigure

    done: dict[str, RenderedFigure] = {}
    for fig in report.figures():
        spec, alt, png, svg = drawn[fig.id]
        fig.settle(spec, alt)
        done[fig.id] = RenderedFigure(fig, png, svg)
    return done


def start_renderer(formats: str) -> None:
    """Fork the renderer's processes now if ``formats`` (``"html,pdf"``) draw figures (HTML, PDF, Markdown),
    so that their imports and the chart runtime's start overlap the facts; the next
    :func:`~comercio.reports.writers.write_report` of this process uses them.

    Call it before the facts (no DuckDB or Spark threads yet). Nothing is started once vl-convert is
    imported here: its runtime's threads would not follow the fork, and the figure process would wait for
    them forever (the report is then written in this process, as without a renderer).
    """
    global _pending
    wanted = {"md" if f == "markdown" else f for f in formats.replace(" ", "").lower().split(",")}
    if _pending is not None or not FIGURE_FORMATS & wanted or "vl_convert" in sys.modules:
        return
    try:
        _pending = Renderer(pdf="pdf" in wanted)
    except OSError as exc:  # no fork here: the report is written in one process, as without
        log.warning("no renderer processes (%s): figures and PDF drawn in this process", exc)


def take() -> Renderer | None:
    """The renderer :func:`start_renderer` started, once (then ``None``)."""
    global _pending
    renderer, _pending = _pending, None
    return renderer


# -- the processes ----------------------------------------------------------------------------------------
def _warm_figures() -> None:
    """The figures' imports and vl-convert's JavaScript runtime (started by a one-point chart)."""
    import vl_convert as vlc

    import comercio.reports.charts
    import comercio.reports.maps  # noqa: F401  (the figures' builders, unpickled)
    from comercio.reports.vega import alt
    from comercio.reports.writers._figures import render_figures  # noqa: F401

    alt.Chart  # noqa: B018  (imports Altair)
    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"a": 1}]}}, allowed_base_urls=[])


def _warm_pdf() -> None:
    """WeasyPrint's import and the report writers'."""
    import weasyprint  # noqa: F401

    from comercio.reports.writers.pdf import render  # noqa: F401


def _serve(conn: Connection, warm: Callable[[], None], work: Callable[[Any], tuple[str, Any]]) -> None:
    """A process's life: warm up, wait for one job, send ``work(job)`` (or the error) back."""
    try:
        warm()
    except Exception:  # the job's own run below says what is missing
        log.debug("renderer warm-up failed", exc_info=True)
    try:
        job = conn.recv()
    except (EOFError, OSError):
        return  # the command ended (or failed) before it needed this process
    try:
        conn.send(work(job))
    except BaseException as exc:
        conn.send(("error", _portable(exc)))
    finally:
        conn.close()


def _draw(job: tuple[Report, Path]) -> tuple[str, Drawn]:
    from comercio.reports.writers._figures import render_figures

    report, out = job
    figures = render_figures(report, out)
    return "figures", {k: (f.figure.spec, f.figure.alt, f.png, f.svg) for k, f in figures.items()}


def _write_pdf(job: tuple[Report, Path, Drawn]) -> tuple[str, tuple[Path, int]]:
    from comercio.reports.writers.pdf import render

    report, out, drawn = job
    return "pdf", render(report, out, dict(adopt(report, drawn)))


def _serve_figures(conn: Connection) -> None:
    _serve(conn, _warm_figures, _draw)


def _serve_pdf(conn: Connection) -> None:
    _serve(conn, _warm_pdf, _write_pdf)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a :class:`ReportError` with its message."""
    try:
        back: BaseException = pickle.loads(pickle.dumps(exc))
    except Exception:
        return ReportError(f"{type(exc).__name__}: {exc}")
    return back
