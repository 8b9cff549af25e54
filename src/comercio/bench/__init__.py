"""Benchmarks behind ``make bench``: ingest rate, the regional indicator set on four systems, BACI.

Public facade: :class:`BenchConfig`, :func:`run_suite` (returns the results document), :func:`render`,
:func:`update_docs`, :func:`write_results`, :func:`main` (the command line).
"""

from comercio.bench._cli import main
from comercio.bench._report import render, update_docs, write_results
from comercio.bench._suite import BenchConfig, agreement, run_suite, score_targets

__all__ = [
    "BenchConfig",
    "agreement",
    "main",
    "render",
    "run_suite",
    "score_targets",
    "update_docs",
    "write_results",
]
