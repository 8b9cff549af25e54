"""Import graph of comercio: no cycle between packages, no import of another package's private module.

Every import counts, including those inside functions (a lazy import is still a dependency). A "package" is a
first-level name under ``comercio`` (``indicators``, ``reports``, ``ingest`` …); ``comercio._lazy`` and the
other private modules of the root are shared helpers of every package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import comercio

ROOT = Path(comercio.__file__).parent


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def _package(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    """Package → packages it imports, and every import of another package's private module."""
    edges: dict[str, set[str]] = {}
    private: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        source = _package(path)
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "comercio" or len(parts) < 2 or parts[1] in (source, "__init__"):
                continue
            edges.setdefault(source, set()).add(parts[1])
            if any(p.startswith("_") and not p.startswith("__") for p in parts[2:]):
                private.append(f"{path.relative_to(ROOT)} imports {name}")
    return edges, sorted(set(private))


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (as a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_cycle_between_packages() -> None:
    edges, _ = _graph()
    assert edges, "no imports found"
    cycle = _cycle(edges)
    assert cycle is None, "packages import each other: " + " → ".join(cycle or ())


def test_no_import_of_another_packages_private_module() -> None:
    _, private = _graph()
    assert not private, "imports of another package's private module:\n" + "\n".join(private)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None


HEAVY = ("pydantic", "ibis", "pandas", "pyarrow", "duckdb", "altair", "weasyprint", "openpyxl", "vl_convert")


def test_help_of_any_command_loads_no_heavy_module() -> None:
    """``comercio … --help`` stays under half a second: none of the heavy libraries is imported for it."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom comercio.cli import main\n"
        "for argv in (['--help'], ['report', 'regional', '--help'], ['warehouse', 'status', '--help'],"
        " ['serve', '--help'], ['indicators', 'compute', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "[]"
