"""Command line of the benchmarks: `python -m comercio.bench` (see `--help`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from comercio.bench import _baci, _regional
from comercio.bench._report import render, update_docs, write_results
from comercio.bench._suite import BenchConfig, run_suite

DESCRIPTION = "Run the benchmarks; write bench/results/*.json and docs/benchmarks.md."


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(float(x)) for x in text.split(",") if x.strip())


def _names(text: str, known: tuple[str, ...]) -> tuple[str, ...]:
    names = tuple(x.strip() for x in text.split(",") if x.strip())
    bad = [n for n in names if n not in known]
    if bad:
        raise argparse.ArgumentTypeError(
            f"unknown system(s) {', '.join(bad)}; choose from {', '.join(known)}"
        )
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m comercio.bench", description=DESCRIPTION)
    p.add_argument("--sizes", type=_sizes, default=(10**6, 10**7), help="line counts, e.g. 1e6,1e7,1e8")
    p.add_argument("--systems", type=lambda s: _names(s, _regional.SYSTEMS), default=_regional.SYSTEMS,
                   help=f"regional systems ({', '.join(_regional.SYSTEMS)})")  # fmt: skip
    p.add_argument("--baci-systems", type=lambda s: _names(s, _baci.SYSTEMS), default=_baci.SYSTEMS)
    p.add_argument("--quick", action="store_true", help="CI size: 1e5 lines everywhere")
    p.add_argument("--all", dest="run_all", action="store_true", help="also run pandas and Spark at 1e8")
    p.add_argument("--repeats", type=int, default=None, help="override repeats (default 3; 1 from 1e8)")
    p.add_argument("--ingest-rows", type=lambda s: int(float(s)), default=10**6)
    p.add_argument("--baci-rows", type=lambda s: int(float(s)), default=10**7)
    p.add_argument("--no-ingest", action="store_true")
    p.add_argument("--no-baci", action="store_true")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument(
        "--work", type=Path, default=Path("var/bench"), help="cached inputs (regenerated if absent)"
    )
    p.add_argument("--results", type=Path, default=Path("bench/results"))
    p.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"), help="'-' to leave docs alone")
    return p


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(argv)
    sizes, ingest_rows, baci_rows = a.sizes, a.ingest_rows, a.baci_rows
    if a.quick:
        sizes, ingest_rows, baci_rows = (10**5,), 10**5, 10**5
    config = BenchConfig(
        sizes=sizes,
        systems=a.systems,
        baci_systems=a.baci_systems,
        repeats=a.repeats,
        run_all=a.run_all,
        ingest_rows=ingest_rows,
        baci_rows=baci_rows,
        seed=a.seed,
        work=a.work,
    )
    doc = run_suite(config, ingest=not a.no_ingest, baci=not a.no_baci)
    path = write_results(doc, a.results)
    section = render(doc)
    if str(a.docs) != "-":
        update_docs(a.docs, section)
    print(section)
    print(f"results: {path}")
    return 0
