"""Benchmarks behind ``make bench``: ingest, append, the regional indicator set, latency, queries, BACI.

Public facade: :class:`BenchConfig`, :func:`run_suite` (returns the results document), :func:`render`,
:func:`update_docs`, :func:`write_results`, :func:`main` (the command line). The parts are modules
``comercio.bench._<part>`` imported by name when the suite runs (see :mod:`comercio.bench._suite`).
"""

from comercio.bench._cli import main
from comercio.bench._report import render, update_docs, write_results
from comercio.bench._suite import PARTS, BenchConfig, run_suite, score_targets

__all__ = [
    "PARTS",
    "BenchConfig",
    "main",
    "render",
    "run_suite",
    "score_targets",
    "update_docs",
    "write_results",
]
