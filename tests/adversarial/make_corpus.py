"""The adversarial corpus: one bad input per kind of fault per reader, generated, run as a user runs it.

Run it by hand (from the repository root)::

    .venv/bin/python tests/adversarial/make_corpus.py --out /tmp/corpus [--run] [--status FILE] [CASE…]

``--out`` receives the good base inputs, the baseline warehouse and one folder per case with its bad
file(s); ``--run`` also runs ``comercio ingest`` on each against a copy of the baseline and prints the verdict
per case and the counts; ``--status`` writes the failing cases grouped by the owner who must fix them.
The tests in ``test_corpus.py`` use the same functions (inputs are built in tmp dirs, never committed).
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpus_harness import (
    CHANGED,
    CLEAR,
    REPORTED,
    SILENT,
    TRACEBACK,
    UNCLEAR,
    Base,
    Case,
    Run,
    cli,
    current_vintages,
    first_line,
    has_g6,
    has_source,
    message_problems,
    shared_data_dir,
    snapshot,
)

Runner = Callable[..., Run]


@dataclass
class Verdict:
    case: Case
    outcome: str
    detail: str
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome in (CLEAR, REPORTED)


def available(case: Case) -> bool:
    if case.needs == "g6":
        return has_g6()
    if case.needs is not None:
        return has_source(case.needs)
    return True


def all_cases() -> list[Case]:
    import corpus_files
    import corpus_records
    import corpus_tables

    cases = [*corpus_tables.cases(), *corpus_records.cases(), *corpus_files.cases()]
    ids = Counter(c.id for c in cases)
    dup = [i for i, n in ids.items() if n > 1]
    assert not dup, f"duplicate case ids: {dup}"
    return cases


# --- base inputs and the baseline warehouse ---------------------------------------------------------------


def make_base(shared: Path, root: Path) -> Base:
    """Small good inputs from the mirror and the synthetic writers, under ``root/base``."""
    from corpus_base import write_base

    return write_base(shared, root / "base")


BASELINE = [
    ("bcrp", ["bcrp"]),
    ("sunat-cuadros", ["g1", "f1", "g6"]),
    ("sunat-declarations", ["declarations"]),
    ("hs2022", ["hs"]),
    ("boundaries", ["boundaries"]),
    ("sunat-microdata", ["micro_jan"]),
    ("baci", ["baci"]),
    ("infotrade", ["infotrade"]),
    ("wto", ["wto"]),
]


def make_baseline(base: Base, home: Path) -> Path:
    """A warehouse holding every base input plus the reference tables (loaded through the CLI)."""
    from comercio.config import Settings
    from comercio.ingest import load_reference
    from comercio.warehouse import Warehouse

    home.mkdir(parents=True, exist_ok=True)
    load_reference(Warehouse(Settings(home=home)))
    for source, keys in BASELINE:
        paths = [str(base.files[k]) for k in keys if k in base.files]
        if not paths or not has_source(source):
            continue
        run = cli(["ingest", source, *paths], home=home, cwd=base.root)
        if run.code != 0:
            raise RuntimeError(f"the baseline does not load: {source}: {run.err or run.crash}")
    return home


# --- one case -----------------------------------------------------------------------------------------------


def run_case(case: Case, base: Base, baseline: Path, work: Path, runner: Runner = cli) -> Verdict:
    """Make the case's input under ``work``, run ``comercio ingest`` on a copy of the baseline, judge.

    ``runner`` runs the command: in this process (fast, the default) or in a new one (``cli_process``)."""
    home, inputs = work / "home", work / "in"
    shutil.copytree(baseline, home)
    inputs.mkdir(parents=True, exist_ok=True)
    paths = case.make(base, inputs)
    argv = ["ingest", case.source, *(p.relative_to(inputs).as_posix() for p in paths), *case.args]
    before = snapshot(home)
    started = time.perf_counter()
    run = runner(argv, home=home, cwd=inputs)
    seconds = time.perf_counter() - started
    changed = snapshot(home) != before
    verdict = _judge(case, run, changed, home, tuple(p.name for p in paths))
    verdict.seconds = seconds
    return verdict


def _judge(case: Case, run, changed: bool, home: Path, names: tuple[str, ...]) -> Verdict:  # type: ignore[no-untyped-def]
    if run.crash is not None or "Traceback" in run.text:
        return Verdict(case, TRACEBACK, first_line((run.crash or run.text).strip().splitlines()[-1]))
    if run.code != 0:
        if changed:
            return Verdict(case, CHANGED, first_line(run.err))
        problems = message_problems(run, names, case.where)
        outcome = UNCLEAR if problems else CLEAR
        if case.expect == "unchanged":  # the same content again is not an error
            outcome, problems = UNCLEAR, ["refused a file already loaded", *problems]
        return Verdict(case, outcome, first_line(run.err), problems=problems)
    text = run.out.lower()
    said = "unchanged" in text or any(n.lower() in text for n in names)
    if case.expect == "unchanged" and not changed and said:
        return Verdict(case, REPORTED, first_line(run.out))
    if case.expect == "quarantine" and "quarantin" in text and _finite(home):
        return Verdict(case, REPORTED, first_line(run.out))
    if case.expect == "synthetic" and changed and _new_synthetic(home):
        return Verdict(case, REPORTED, first_line(run.out))
    what = "loaded" if changed else "exit 0, nothing said"
    return Verdict(case, SILENT, f"{what}: {first_line(run.out)}")


def _finite(home: Path) -> bool:
    import math

    return all(
        v["value_total"] is None or (math.isfinite(float(v["value_total"])) and float(v["value_total"]) >= 0)  # type: ignore[arg-type]
        for v in current_vintages(home)
    )


def _new_synthetic(home: Path) -> bool:
    newest = max(current_vintages(home), key=lambda v: str(v["loaded_at"]))
    return bool(newest["synthetic"])


# --- the whole corpus ------------------------------------------------------------------------------------


def summary(verdicts: Iterable[Verdict | str]) -> dict[str, int]:
    """Counts by outcome (verdicts or their outcome names)."""
    outcomes = [v if isinstance(v, str) else v.outcome for v in verdicts]
    counts = Counter(outcomes)
    return {
        "cases": len(outcomes),
        "clear errors": counts[CLEAR],
        "reported exclusions/no-ops": counts[REPORTED],
        "tracebacks": counts[TRACEBACK],
        "silent loads": counts[SILENT],
        "unclear messages": counts[UNCLEAR],
        "changed on error": counts[CHANGED],
    }


HOW_TO = """## How to use this

- Each failing case is a strict xfail in `tests/adversarial/corpus_known.py`; when a fix lands the case turns
  XPASS(strict), i.e. red: remove its line there (one-line edit) or tell the corpus helper.
- Reproduce one case: `.venv/bin/python tests/adversarial/make_corpus.py --out /tmp/<you>/c --run CASE_ID`
  (`--out DIR` without `--run` writes every bad input under DIR/cases/).
- Test one case: `.venv/bin/pytest -q tests/adversarial/test_corpus.py -k CASE_ID`."""


def status_markdown(verdicts: list[Verdict], owners: dict[str, str], seconds: float) -> str:
    """The status file: counts, then failing cases grouped by the owner who must fix them."""
    counts = summary(verdicts)
    out = [
        "# Adversarial corpus status",
        "",
        "Generated by `tests/adversarial/make_corpus.py --run --status` at "
        f"{time.strftime('%H:%M UTC', time.gmtime())}"
        f" ({seconds:.0f} s).",
        "",
        ", ".join(f"{k}: {v}" for k, v in counts.items()),
        "",
        "Failing cases, by owner (case id — outcome — what happened):",
    ]
    failing = [v for v in verdicts if not v.ok]
    by_owner: dict[str, list[Verdict]] = {}
    for v in failing:
        by_owner.setdefault(owners.get(v.case.id, "unassigned"), []).append(v)
    for owner in sorted(by_owner):
        out += ["", f"## {owner} ({len(by_owner[owner])})", ""]
        for v in by_owner[owner]:
            extra = f" [{'; '.join(v.problems)}]" if v.problems else ""
            out.append(f"- `{v.case.id}` ({v.case.source}: {v.case.fault}) — {v.outcome} — {v.detail}{extra}")
    return "\n".join([*out, "", HOW_TO]) + "\n"


def main(argv: list[str] | None = None) -> int:
    from corpus_known import OWNERS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--run", action="store_true")
    parser.add_argument("--status", type=Path)
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    shutil.rmtree(args.out, ignore_errors=True)
    base = make_base(shared_data_dir(), args.out)
    cases = [c for c in all_cases() if available(c) and (not args.cases or c.id in args.cases)]
    if not args.run:
        for case in cases:
            (args.out / "cases" / case.id).mkdir(parents=True)
            case.make(base, args.out / "cases" / case.id)
        print(f"{len(cases)} cases written to {args.out / 'cases'}")
        return 0
    baseline = make_baseline(base, args.out / "baseline")
    verdicts = []
    for case in cases:
        v = run_case(case, base, baseline, args.out / "cases" / case.id)
        verdicts.append(v)
        print(f"{v.outcome:18} {v.seconds:5.1f}s {case.id}: {v.detail}", flush=True)
    print(", ".join(f"{k}: {n}" for k, n in summary(verdicts).items()))
    if args.status:
        args.status.write_text(status_markdown(verdicts, OWNERS, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
