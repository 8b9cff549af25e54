"""The public facades: every name in ``__all__`` resolves, imports stay lazy, the README example is true."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FACADES = ["comercio", "comercio.indicators", "comercio.reports", "comercio.sources", "comercio.synth"]


@pytest.mark.parametrize("name", FACADES)
def test_every_public_name_resolves(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__, f"{name} has no __all__"
    assert sorted(set(module.__all__)) == sorted(module.__all__), f"{name}.__all__ lists a name twice"
    for attr in module.__all__:
        assert getattr(module, attr) is not None, f"{name}.{attr}"
        assert attr in dir(module)


@pytest.mark.parametrize("name", ["comercio.indicators", "comercio.reports", "comercio.synth"])
def test_an_unknown_name_is_an_attribute_error(name: str) -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = importlib.import_module(name).no_such_name


def test_facades_import_no_heavy_module() -> None:
    """``import comercio`` and the sub-package facades load neither Ibis, Altair nor PyArrow's compute."""
    heavy = ("ibis", "altair", "pyarrow.compute", "duckdb", "weasyprint")
    code = (
        "import sys, comercio, comercio.indicators, comercio.reports, comercio.synth\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _readme_python() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_the_readme_example_is_true(
    built_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMERCIO_HOME", str(built_home))
    scope: dict[str, object] = {}
    exec(compile(_readme_python(), "README.md", "exec"), scope)
    rf = scope["rf"]
    growth = rf.facts.value("{region_group}.growth", region_group="interior")  # type: ignore[attr-defined]
    assert f"{growth:.5f}" == "-0.00387"  # the value the README prints
    printed = dict(line.split() for line in capsys.readouterr().out.splitlines())
    assert len(printed) >= 25 and "15" in printed  # every department's growth, by code
