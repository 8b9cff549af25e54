"""Lazy facades: a package's public names load their modules on first use.

The sub-packages' ``__init__`` files stay cheap to import (``comercio --help`` must not load Ibis, PyArrow
or Altair), while ``from comercio.indicators import FactSet`` still works. The names are declared once, as
the ``if TYPE_CHECKING:`` imports of the ``__init__`` (what type checkers read); :func:`attach` reads that
block and gives the package its ``__getattr__``, ``__dir__`` and ``__all__``::

    if TYPE_CHECKING:
        from comercio.indicators.facts import FactSet as FactSet

    __getattr__, __dir__, __all__ = facade(__name__, __file__)

:func:`attach` takes the names as a mapping instead (module → names) and leaves ``__all__`` to the package.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any


def declared(file: str) -> dict[str, str]:
    """Name → module of every ``from … import`` inside the file's top-level ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(Path(file).read_text(encoding="utf-8"), filename=file)
    where: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for imp in node.body:
                if isinstance(imp, ast.ImportFrom) and imp.module:
                    where.update({a.asname or a.name: imp.module for a in imp.names})
    return where


Getattr = Callable[[str], Any]
Dir = Callable[[], list[str]]


def _loaders(package: str, where: Mapping[str, str]) -> tuple[Getattr, Dir]:
    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # the next lookup is a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(where) | set(vars(sys.modules[package])))

    return __getattr__, __dir__


def facade(package: str, file: str) -> tuple[Getattr, Dir, list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package`` from its ``TYPE_CHECKING`` imports."""
    where = declared(file)
    return (*_loaders(package, where), sorted(where))


def attach(package: str, modules: Mapping[str, Iterable[str]]) -> tuple[Getattr, Dir]:
    """``__getattr__`` and ``__dir__`` for ``package`` from ``{sub-module: names}``."""
    return _loaders(package, {n: f"{package}.{m}" for m, names in modules.items() for n in names})
