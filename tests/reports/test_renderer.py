"""The renderer's processes (figures, PDF) write the same files as one process does, and end with the report.

Each case runs in a fresh interpreter (``_renderer_run.py``): a renderer is forked only by a process with no
other thread and where vl-convert was never imported, which is not so in a test session.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from comercio.errors import ReportError
from comercio.reports.writers import _renderer

RUN = Path(__file__).with_name("_renderer_run.py")
ALL = "html,pdf,xlsx,md,json"


def _run(case: str, out: Path, formats: str = ALL) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(RUN), case, str(out), formats], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    done: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return done


def test_the_renderer_writes_the_same_files_as_one_process(tmp_path: Path) -> None:
    one = _run("one", tmp_path / "one")
    two = _run("renderer", tmp_path / "two")
    assert one["drawn"] == ["bars", "bars"] and two["drawn"] == []  # drawn by the figure process only
    assert two["processes"] == 2 and two["alive"] == [False, False] and not two["left"]
    assert two["alts"] == one["alts"] and one["alts"][0] and one["alts"][1] == ""
    names = [Path(p).name for p in one["files"]]
    assert [Path(p).name for p in two["files"]] == names and "report-page-1.png" in names
    for name in {*names, "figure-bars.svg", "figure-bars.png", "figure-share.svg"} - {"report.pdf"}:
        a, b = tmp_path / "one" / name, tmp_path / "two" / name
        if name.endswith(".json"):  # the same facts and meta
            assert json.loads(a.read_text("utf-8")) == json.loads(b.read_text("utf-8"))
        elif not name.endswith(".xlsx"):  # HTML, Markdown, the figures, the PDF's page previews
            assert a.read_bytes() == b.read_bytes(), name


def test_a_renderer_without_a_pdf_draws_the_figures(tmp_path: Path) -> None:
    done = _run("renderer", tmp_path, "md,json")
    assert done["processes"] == 1 and done["drawn"] == [] and not any(done["alive"])
    assert [Path(p).name for p in done["files"]] == ["report.md", "report.json"]
    assert (tmp_path / "figure-bars.png").is_file()


def test_formats_without_figures_stop_the_renderer_unused(tmp_path: Path) -> None:
    done = _run("unused", tmp_path, "html,pdf")
    assert [Path(p).name for p in done["files"]] == ["report.json"]
    assert done["processes"] == 2 and done["alive"] == [False, False] and not done["left"]
    assert not (tmp_path / "figure-bars.svg").exists()


def test_an_error_in_the_renderer_is_raised_here_and_its_processes_end(tmp_path: Path) -> None:
    done = _run("broken", tmp_path, "html,pdf")
    assert done["error"] == str(ReportError("no chart for these rows", field="rows"))  # the same error
    assert done["alive"] == [False, False] and not done["left"]


class _Built:
    """Stands for :class:`Renderer` (no process is forked in the test process) and records each start."""

    starts: list[bool] = []

    def __init__(self, pdf: bool) -> None:
        self.starts.append(pdf)


@pytest.fixture
def single_threaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """A test process seen as single-threaded (it is not: DuckDB's threads), with starts recorded, so only
    the check under test can keep the renderer from starting."""
    monkeypatch.setattr(_renderer, "_threads", lambda: 1)
    monkeypatch.setattr(_renderer, "Renderer", _Built)
    monkeypatch.setattr(_Built, "starts", [])
    _renderer.take()
    # the modules the renderer sees: this process's, without vl-convert (another test may have imported it)
    seen = types.SimpleNamespace(modules={k: v for k, v in sys.modules.items() if k != "vl_convert"})
    monkeypatch.setattr(_renderer, "sys", seen)
    yield _Built.starts
    _renderer.take()


def test_the_checks_let_a_single_threaded_process_start_one(single_threaded: list[bool]) -> None:
    _renderer.start_renderer("json,pdf")
    assert single_threaded == [True]


@pytest.mark.parametrize("formats", ["json", "xlsx,json"])
def test_no_renderer_for_formats_that_draw_nothing(formats: str, single_threaded: list[bool]) -> None:
    _renderer.start_renderer(formats)
    assert single_threaded == [] and _renderer.take() is None


def test_no_renderer_in_a_process_running_other_threads(tmp_path: Path) -> None:
    assert _run("threaded", tmp_path) == {"started": False}


def test_no_renderer_once_vl_convert_is_imported(
    single_threaded: list[bool],
) -> None:
    _renderer.sys.modules["vl_convert"] = types.ModuleType("vl_convert")  # its runtime's threads do not fork
    _renderer.start_renderer("html")
    assert single_threaded == [] and _renderer.take() is None
