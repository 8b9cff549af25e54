"""The front ends are siblings over the application service: api and web never import each other, the
service imports neither, and no module of theirs imports another package's private module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import comercio

ROOT = Path(comercio.__file__).parent
FORBIDDEN = {"api": ("comercio.web",), "web": ("comercio.api",), "service": ("comercio.api", "comercio.web")}


def imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names.extend(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_front_ends_and_service_keep_their_layers(package: str) -> None:
    for path in sorted((ROOT / package).glob("*.py")):
        for name in imports(path):
            assert not name.startswith(FORBIDDEN[package]), f"{path.name} imports {name}"
            parts = name.split(".")
            private = [p for p in parts[2:] if p.startswith("_") and not p.startswith("__")]
            other = len(parts) > 1 and parts[0] == "comercio" and parts[1] != package
            assert not (other and private), f"{path.name} imports the private module {name}"
