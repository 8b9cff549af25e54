"""Command line of the benchmarks: `python -m comercio.bench` (see `--help`)."""

from __future__ import annotations

import argparse
import importlib
from dataclasses import replace
from pathlib import Path

from comercio.bench._report import render, update_docs, write_results
from comercio.bench._suite import PARTS, BenchConfig, run_suite

DESCRIPTION = (
    "Run the benchmark parts (" + ", ".join(PARTS) + "); write bench/results/*.json and docs/benchmarks.md."
)
# --quick: the CI size, every part at a tiny size (explicit size options still win)
QUICK = {"sizes": (10**5,), "ingest_rows": 10**5, "append_sizes": (10**4, 10**5), "baci_rows": 10**5}


def _count(text: str) -> int:
    return int(float(text))


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(_count(x) for x in text.split(",") if x.strip())


def _names(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


def _parts(text: str) -> tuple[str, ...]:
    names = _names(text)
    bad = [n for n in names if n not in PARTS]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown part(s) {', '.join(bad)}; choose from {', '.join(PARTS)}")
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m comercio.bench", description=DESCRIPTION)
    p.add_argument("--only", type=_parts, default=None, help=f"run only these parts ({','.join(PARTS)})")
    p.add_argument("--sizes", type=_sizes, default=None, help="regional line counts (default 1e6,1e7,1e8)")
    p.add_argument("--systems", type=_names, default=None, help="regional systems (default: all)")
    p.add_argument("--baci-systems", type=_names, default=None, help="BACI systems (default: all)")
    p.add_argument("--quick", action="store_true", help="CI size: every part at a tiny size")
    p.add_argument("--all", dest="run_all", action="store_true", help="also run pandas at 1e8")
    p.add_argument("--repeats", type=int, default=None, help="override repeats (default 3; 1 from 1e8)")
    p.add_argument("--ingest-rows", type=_count, default=None, help="ingest lines (default 1e6)")
    p.add_argument("--append-sizes", type=_sizes, default=None, help="archive sizes (default 1e6,1e8)")
    p.add_argument("--baci-rows", type=_count, default=None, help="BACI flows (default 1e7)")
    p.add_argument("--no-ingest", action="store_true", help="same as leaving ingest out of --only")
    p.add_argument("--no-baci", action="store_true", help="same as leaving baci out of --only")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument(
        "--work", type=Path, default=Path("var/bench"), help="cached inputs (regenerated if absent)"
    )
    p.add_argument("--results", type=Path, default=Path("bench/results"))
    p.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"), help="'-' to leave docs alone")
    return p


def _check_systems(p: argparse.ArgumentParser, part: str, names: tuple[str, ...] | None) -> None:
    """Unknown system names are a usage error (checked only when the part's module is there)."""
    if names is None:
        return
    try:
        known = tuple(importlib.import_module(f"comercio.bench._{part}").SYSTEMS)
    except (ImportError, AttributeError):
        return
    bad = [n for n in names if n not in known]
    if bad:
        p.error(f"unknown {part} system(s) {', '.join(bad)}; choose from {', '.join(known)}")


def config_from(argv: list[str] | None = None) -> tuple[BenchConfig, argparse.Namespace]:
    p = parser()
    a = p.parse_args(argv)
    _check_systems(p, "regional", a.systems)
    _check_systems(p, "baci", a.baci_systems)
    parts = a.only or PARTS
    dropped = {"ingest"} if a.no_ingest else set()
    dropped |= {"baci"} if a.no_baci else set()
    config = BenchConfig(
        systems=a.systems,
        baci_systems=a.baci_systems,
        repeats=a.repeats,
        run_all=a.run_all,
        seed=a.seed,
        work=a.work,
        quick=a.quick,
        parts=tuple(x for x in parts if x not in dropped),
    )
    sizes = QUICK if a.quick else {}
    given = {"sizes": a.sizes, "ingest_rows": a.ingest_rows, "append_sizes": a.append_sizes}
    given["baci_rows"] = a.baci_rows
    chosen = {**sizes, **{k: v for k, v in given.items() if v is not None}}
    return replace(config, **chosen), a


def main(argv: list[str] | None = None) -> int:
    config, a = config_from(argv)
    doc = run_suite(config)
    path = write_results(doc, a.results)
    section = render(doc)
    if str(a.docs) != "-":
        update_docs(a.docs, section)
    print(section)
    print(f"results: {path}")
    return 0
