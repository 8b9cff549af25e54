"""What users read: every CLI command, group and parameter has help; every reference table cites a source."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer

from comercio import reference
from comercio.cli import app


def _tree(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every group and command under ``cmd`` (Typer builds them on its vendored click: duck typing)."""
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from _tree(sub, (*path, name))


ROOT = typer.main.get_command(app)
NODES = list(_tree(ROOT))


def _help(cmd: Any) -> str:
    return str(cmd.help or cmd.short_help or "").strip()


@pytest.mark.parametrize(("path", "cmd"), NODES, ids=[" ".join(p) or "comercio" for p, _ in NODES])
def test_every_command_and_group_has_help(path: tuple[str, ...], cmd: Any) -> None:
    text = _help(cmd)
    assert len(text) >= 10, f"`comercio {' '.join(path)}` has no help text"
    assert text[0].isupper(), f"`comercio {' '.join(path)}` help should read as a sentence: {text!r}"


@pytest.mark.parametrize(("path", "cmd"), NODES, ids=[" ".join(p) or "comercio" for p, _ in NODES])
def test_every_parameter_has_help(path: tuple[str, ...], cmd: Any) -> None:
    undocumented = [
        p.name for p in cmd.params if p.name != "help" and not str(getattr(p, "help", "") or "").strip()
    ]
    assert not undocumented, f"`comercio {' '.join(path)}`: parameters without help: {undocumented}"


def test_the_tree_has_the_data_commands() -> None:
    paths = {p for p, _ in NODES}
    assert {
        ("build",),
        ("ingest",),
        ("validate",),
        ("diff",),
        ("warehouse", "status"),
        ("reference", "show"),
    } <= paths


@pytest.mark.parametrize("name", reference.names())
def test_every_reference_table_has_a_title_and_source(name: str) -> None:
    info = reference.info(name)
    assert info.title.strip() and info.source.strip(), name
    assert info.rows > 0 and info.path.is_file()
