"""Run by ``test_renderer.py`` in a fresh interpreter (a renderer is forked only by a process without other
threads, as a command is before it imports the engine): ``python _renderer_run.py CASE OUT FORMATS`` writes
a small report and prints what happened (JSON)."""

from __future__ import annotations

import functools
import json
import sys
import threading
from pathlib import Path
from typing import Any

from comercio.errors import ReportError
from comercio.reports import charts
from comercio.reports.fmt import Formatter
from comercio.reports.writers import Column, Figure, Report, Section, Table, _renderer, write_report

WINDOW = {"kind": "ytd", "start": "2022-01-01", "end": "2022-11-01"}
ROWS = [{"label": "Arequipa", "growth": 0.1019}, {"label": "Puno", "growth": -0.19}]
DRAWN: list[str] = []  # what this process drew (a forked renderer draws in its own copy)


def bars(rows: list[dict[str, Any]], lang: str) -> Any:
    DRAWN.append("bars")
    return charts.growth_bars(rows, Formatter(lang), "Crecimiento", "Fuente: prueba")


def broken(rows: list[dict[str, Any]], lang: str) -> Any:
    raise ReportError("no chart for these rows", field="rows")


def report(draw: Any = bars) -> Report:
    from comercio.indicators.facts import FactSet, make  # Arrow's threads: after the fork

    facts = FactSet([make("national.value", 68_120_000_000.0, window=WINDOW)])
    table = Table(
        "t1",
        "Tabla uno",
        (Column("name", "Región"), Column("value", "US$ millones", "millions")),
        ({"name": "Arequipa", "value": 5_400_365_741.11}, {"name": "Puno", "value": None}),
    )
    figures = (
        Figure.drawn("bars", "Crecimiento", functools.partial(draw, ROWS, "es")),
        Figure.drawn("share", "Participación", functools.partial(draw, ROWS[:1], "es"), described=False),
    )
    sections = (Section("s1", "Uno", ("Primer párrafo.",), (table,), figures),)
    return Report("test", "es", "Título", "Sub", sections, facts, "Fuente: prueba.", False, {"k": 1})


def main(case: str, out: Path, formats: str) -> dict[str, Any]:
    if case == "one":
        rep = report()
        files = write_report(rep, formats, out)
        return {"files": [str(p) for p in files], "drawn": DRAWN, "alts": [f.alt for f in rep.figures()]}
    if case == "threaded":  # another thread runs: no fork
        stop = threading.Event()
        threading.Thread(target=stop.wait, daemon=True).start()
        _renderer.start_renderer(formats)
        stop.set()
        return {"started": _renderer.take() is not None}
    _renderer.start_renderer(formats)
    renderer = _renderer._pending
    assert renderer is not None
    procs = [w.proc for w in (renderer._draw, renderer._pdf) if w is not None]
    rep = report(broken if case == "broken" else bars)
    try:
        files = write_report(rep, "json" if case == "unused" else formats, out)
        done: dict[str, Any] = {"files": [str(p) for p in files], "drawn": DRAWN}
        done["alts"] = [f.alt for f in rep.figures()] if case == "renderer" else []
    except ReportError as exc:
        done = {"error": str(exc)}
    done.update(processes=len(procs), alive=[p.is_alive() for p in procs], left=_renderer.take() is not None)
    return done


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3])))
