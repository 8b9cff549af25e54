"""Every bad input of the corpus, run as ``comercio ingest SOURCE PATH…`` on a copy of a good warehouse.

A case passes when the command refuses with one clear line naming the file (and the row or record and the
column where it applies), without a traceback, leaving the warehouse byte-identical; or, where the issue
allows it, when it reports an exclusion, a quarantine or "unchanged". Cases that still fail are listed in
``corpus_known.OWNERS`` and run as strict xfails: the suite turns red when a fix lands without its line
being removed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_harness import Base, Case, cli, cli_process
from corpus_known import OWNERS
from make_corpus import all_cases, available, run_case

pytestmark = pytest.mark.xdist_group("corpus")


def _params() -> list[object]:
    out: list[object] = []
    for case in all_cases():
        marks: list[pytest.MarkDecorator] = []
        if not available(case):
            marks.append(pytest.mark.skip(reason=f"the {case.needs} reader is not registered"))
        elif case.id in OWNERS:
            marks.append(pytest.mark.xfail(strict=True, reason=OWNERS[case.id]))
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_bad_input_is_refused_clearly_and_changes_nothing(
    case: Case, corpus_base: Base, corpus_baseline: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    verdict = run_case(case, corpus_base, corpus_baseline, tmp_path)
    # The report carries the verdict to the summary (also across xdist workers).
    request.node.user_properties += [("corpus_outcome", verdict.outcome), ("corpus_seconds", verdict.seconds)]
    assert verdict.ok, f"{case.fault}: {verdict.outcome}: {verdict.detail} {verdict.problems or ''}"


def test_the_corpus_has_150_cases_one_per_fault_and_reader() -> None:
    cases = [c for c in all_cases() if available(c)]
    assert len(cases) >= 150
    assert len({c.id for c in cases}) == len(cases)
    assert len({(c.id.split("-")[0], c.fault) for c in cases}) == len(cases)  # one case per fault per reader


@pytest.mark.parametrize("case_id", ["bcrp-nan", "micro-random-bytes", "decl-renamed-copy", "g1-as-f1"])
def test_the_installed_command_gives_the_same_verdict(
    case_id: str, corpus_base: Base, corpus_baseline: Path, tmp_path: Path
) -> None:
    """The in-process runner is what a user gets: the same cases through ``python -m comercio.cli``."""
    [case] = [c for c in all_cases() if c.id == case_id]
    here = run_case(case, corpus_base, corpus_baseline, tmp_path / "here")
    there = run_case(case, corpus_base, corpus_baseline, tmp_path / "there", runner=cli_process)
    assert (there.outcome, there.detail) == (here.outcome, here.detail)
    assert there.ok


@pytest.mark.parametrize("fault", ["random-bytes", "missing"])
def test_build_from_a_bad_mirror_refuses_clearly_and_changes_nothing(
    fault: str, shared_data: Path, corpus_baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``comercio build`` reading its files from a mirror whose G1 workbook is garbage or absent."""
    import shutil

    import corpus_edit as E
    from corpus_harness import message_problems, snapshot

    mirror, home = tmp_path / "mirror", tmp_path / "home"
    shutil.copytree(shared_data, mirror)
    shutil.copytree(corpus_baseline, home)
    g1 = mirror / "sunat/cuadros/cdro_G1.xlsx"
    if fault == "missing":
        g1.unlink()
    else:
        E.random_bytes(g1)
    monkeypatch.setenv("COMERCIO_MIRROR", str(mirror))
    before = snapshot(home)
    run = cli(["build"], home=home, cwd=tmp_path)
    assert run.code == 2 and run.crash is None, run.err
    assert not message_problems(run, ("cdro_G1.xlsx",)), run.err
    assert snapshot(home) == before
