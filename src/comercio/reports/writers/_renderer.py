"""Processes that draw a report's figures and write its PDF, started before the facts are computed.

A report in all formats spends most of its time where the facts are not needed to start, or where Python
holds one core: importing Altair, vl-convert and WeasyPrint and starting vl-convert's JavaScript runtime
(together longer than the facts), then vl-convert and WeasyPrint's layout, which hold the GIL.
:func:`start_renderer`, called by a command before it imports the engine and computes the facts, forks a
figure process (Altair, vl-convert and its runtime) and, when a PDF is asked for, a PDF process
(WeasyPrint); they import and warm up meanwhile. :func:`take` hands them to
:func:`~comercio.reports.writers.write_report`, which writes JSON and XLSX while the figure process
evaluates each chart to SVG (this process rasterises each SVG to PNG while the next chart is evaluated),
HTML and Markdown while the PDF process lays out the print HTML, then the PDF's page previews.

They run the same code as the one-process path (:func:`draw_svg`, :func:`draw_png`, :func:`~.pdf.lay_out`),
so every file is the same. They are forked before the engine is imported (no thread of DuckDB, Spark or
Arrow exists yet) and never once vl-convert is imported; they receive figures and HTML, never the facts.
Processes never used end with the command (daemons; their pipes close).
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comercio.errors import ReportError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from comercio.reports.writers._figures import RenderedFigure
    from comercio.reports.writers._model import Figure, Report

log = logging.getLogger(__name__)

FIGURE_FORMATS = frozenset({"html", "pdf", "md"})  # the formats that draw figures
WAIT_S = 600.0  # longest wait for a process's answer (a report's figures and PDF take seconds)
Drawn = tuple[str, Mapping[str, Any], str, str]  # a figure drawn: id, spec, text alternative, SVG

_pending: Renderer | None = None


class _Worker:
    """One forked process: it runs ``warm()``, then each job ``(function, arguments)`` it is sent."""

    def __init__(self, name: str, warm: Callable[[], None]) -> None:
        import multiprocessing  # here: a report in JSON or XLSX alone starts no process (0.02-0.04 s)

        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, warm), name=name, daemon=True)
        self.proc.start()
        child.close()

    def send(self, function: Callable[..., Any], *args: Any) -> None:
        self.conn.send((function, args))

    def receive(self) -> Any:
        """The answer to the job sent; an error in the process is raised here."""
        try:
            if not self.conn.poll(WAIT_S):
                raise ReportError(f"{self.proc.name} gave no answer in {WAIT_S:.0f} s")
            failed, payload = self.conn.recv()
        except EOFError as exc:
            raise ReportError(f"{self.proc.name} stopped (exit code {self.proc.exitcode})") from exc
        if failed:
            raise payload
        return payload

    def close(self) -> None:
        """Stop the process: its answers are received or no longer wanted, so it is not waited for (a
        process with a chart runtime takes a while to wind down on its own)."""
        self.conn.close()
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join()


class Renderer:
    """This side of the figure and PDF processes: :meth:`send`, :meth:`figures`, :meth:`start_pdf`,
    :meth:`pdf`, :meth:`close`."""

    def __init__(self, pdf: bool) -> None:
        self._draw = _Worker("comercio-figures", _warm_figures)
        self._pdf = _Worker("comercio-pdf", _warm_pdf) if pdf else None
        self._report: Report | None = None
        self._out = Path()
        self._queue: list[Figure] = []
        self._written = (Path(), 0)

    def send(self, report: Report, out: Path) -> None:
        """Hand over ``report``: the figure process starts drawing its first figure into ``out``."""
        self._report, self._out = report, Path(out)
        self._queue = list(report.figures())
        if self._queue:
            self._draw.send(_draw, self._queue.pop(0), self._out)

    def figures(self) -> dict[str, RenderedFigure]:
        """The figures of the report sent (as :func:`render_figures` returns them): the figure process
        evaluates each chart to SVG and this process rasterises it to PNG meanwhile; the report's figures
        take their drawn specs and text alternatives, so this process never draws them."""
        from comercio.reports.writers._figures import RenderedFigure, draw_png

        assert self._report is not None
        done: dict[str, RenderedFigure] = {}
        for fig in self._report.figures():
            fig_id, spec, alt, svg = self._draw.receive()
            if self._queue:
                self._draw.send(_draw, self._queue.pop(0), self._out)
            assert fig_id == fig.id, (fig_id, fig.id)
            fig.settle(spec, alt)
            done[fig.id] = RenderedFigure(fig, draw_png(fig.id, svg, self._out), svg)
        return done

    def start_pdf(self, figures: Mapping[str, RenderedFigure]) -> None:
        """Lay out the report sent, with its ``figures``, as PDF in the PDF process (its print HTML is made
        here); without a PDF process (the command asked for no PDF when it started), here and now."""
        from comercio.reports.writers.pdf import render

        assert self._report is not None
        if self._pdf is None:
            self._written = render(self._report, self._out, dict(figures))
            return
        from comercio.reports.writers.html import render_html
        from comercio.reports.writers.pdf import lay_out

        path = self._out / f"{self._report.stem}.pdf"
        self._pdf.send(lay_out, render_html(self._report, dict(figures), print_mode=True), path)
        self._written = (path, 0)
        self._draw.close()  # its figures are in: it winds down while the PDF is laid out, not after

    def pdf(self) -> tuple[Path, int]:
        """The PDF :meth:`start_pdf` asked for, once written (without page previews), and its pages."""
        if self._pdf is None:
            return self._written
        pages: int = self._pdf.receive()
        return self._written[0], pages

    def close(self) -> None:
        """Stop the processes (at once if they were not used)."""
        for worker in (self._draw, self._pdf):
            if worker is not None:
                worker.close()


def start_renderer(formats: str) -> None:
    """Fork the renderer's processes now if ``formats`` (``"html,pdf"``) draw figures (HTML, PDF, Markdown),
    so that their imports and the chart runtime's start overlap the facts; the next
    :func:`~comercio.reports.writers.write_report` of this process uses them.

    Call it before the engine is imported. Nothing is started in a process that runs other threads
    already (DuckDB's, Arrow's, vl-convert's runtime: threads do not follow a fork, and a lock one of them
    holds would never be released in the child), nor once vl-convert is imported; the report is then
    written in this process, as without a renderer.
    """
    global _pending
    from comercio.reports.writers import parse_formats

    try:
        wanted = set(parse_formats(formats))
    except ReportError:  # the command reports it when it writes
        return
    if _pending is not None or not FIGURE_FORMATS & wanted or "vl_convert" in sys.modules or _threads() > 1:
        return
    try:
        _pending = Renderer(pdf="pdf" in wanted)
    except (OSError, ValueError) as exc:  # no fork here (ValueError: no such start method): one process
        log.warning("no renderer processes (%s): figures and PDF drawn in this process", exc)


def _threads() -> int:
    """Threads of this process, native ones included where the system lists them (Linux)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


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

    alt.Chart  # noqa: B018  (imports Altair)
    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"a": 1}]}}, allowed_base_urls=[])


def _warm_pdf() -> None:
    """WeasyPrint's import."""
    import weasyprint  # noqa: F401


def _serve(conn: Connection, warm: Callable[[], None]) -> None:
    """A process's life: warm up, then answer each job ``(function, arguments)`` until the pipe closes.
    Ctrl-C is the command's to handle: it ends this process with the pipe (or at exit: a daemon)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        warm()
    except Exception:  # the jobs' own runs say what is missing
        log.debug("renderer warm-up failed", exc_info=True)
    while True:
        try:
            function, args = conn.recv()
        except (EOFError, OSError):
            return  # the command is done with this process (or ended before it needed it)
        try:
            conn.send((False, function(*args)))
        except BaseException as exc:
            conn.send((True, _portable(exc)))


def _draw(fig: Figure, out: Path) -> Drawn:
    """Evaluate one figure's chart into ``out`` (:func:`draw_svg`): its id, spec, text alternative and SVG."""
    from comercio.reports.writers._figures import draw_svg

    svg = draw_svg(fig, out)
    return fig.id, fig.spec, fig.alt, svg


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a :class:`ReportError` with its message."""
    try:
        back: BaseException = pickle.loads(pickle.dumps(exc))
    except Exception:
        return ReportError(f"{type(exc).__name__}: {exc}")
    return back
