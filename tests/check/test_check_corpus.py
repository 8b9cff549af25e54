"""Precision and recall of ``comercio check`` on texts written for this project (tests/check/texts/).

Each text has an expected file with the answer for every figure (tests/check/texts/README.md). A checker
claim is correct when its span is the expected one and it has the same subject (kind and code), measure,
window and verdict; for a figure expected ``not_checkable``, span and verdict. Recall = correct / expected,
precision = correct / claims the checker emitted. The measured figures and the time go to
``test-artifacts/check_corpus.json``; the misses are printed as a table (``pytest -s``).
"""

from __future__ import annotations

import importlib.util
import json
import re
import time
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import pytest

from comercio.check.model import VERDICTS, CheckReport, Claim, Measure, SubjectKind

TEXTS = Path(__file__).resolve().parent / "texts"
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "check_corpus.json"
EXPECTED = sorted(TEXTS.glob("*.expected.json"))
BAR = 0.85
# A whole-token match: nothing alphanumeric on either side, and no digit across a "." or "," (so "14" is
# neither found inside "2014" nor inside "14,0 %").
TOKEN = r"(?<![\w])(?<![\d][.,]){}(?![\w])(?![.,]\d)"
DIGITS = re.compile(r"\d+")


def load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    doc["name"] = path.name.removesuffix(".expected.json")
    doc["body"] = (TEXTS / doc["text"]).read_text(encoding="utf-8")
    return doc


def span(text: str, printed: str, occurrence: int) -> tuple[int, int]:
    """The ``[start, end)`` of the ``occurrence``-th whole-token match of ``printed``."""
    found = list(re.finditer(TOKEN.format(re.escape(printed)), text))
    if len(found) < occurrence:
        raise AssertionError(f"{printed!r} occurs {len(found)} times, expected file says #{occurrence}")
    m = found[occurrence - 1]
    return m.start(), m.end()


def reading(c: Claim) -> dict[str, Any]:
    """What the checker read, in the expected files' terms."""
    return {
        "kind": None if c.subject is None else c.subject.kind,
        "code": None if c.subject is None else c.subject.code,
        "measure": c.measure,
        "window": None if c.window is None else (c.window.start, c.window.end),
        "verdict": c.verdict,
    }


def wanted(e: dict[str, Any]) -> dict[str, Any]:
    w = e["window"]
    return {
        "kind": e["subject"]["kind"],
        "code": e["subject"]["code"],
        "measure": e["measure"],
        "window": (w["start"], w["end"]),
        "verdict": e["expected"],
    }


def wrong_fields(e: dict[str, Any], c: Claim | None) -> list[str]:
    """The fields on which the checker's claim differs from the expected one (all when there is none)."""
    if c is None:
        return ["missing"]
    want, got = wanted(e), reading(c)
    fields = ("verdict",) if e["expected"] == "not_checkable" else tuple(want)
    return [f for f in fields if want[f] != got[f]]


def score(doc: dict[str, Any], report: CheckReport) -> dict[str, Any]:
    """Precision, recall and one row per miss (expected figures not matched, and extra claims)."""
    text = doc["body"]
    by_span = {c.number.span: c for c in report.claims}
    skipped = {s.number.span: f"skipped ({s.kind}): {s.reason}" for s in report.skipped}
    misses: list[dict[str, Any]] = []
    correct = 0
    expected_spans = set()
    for e in doc["claims"]:
        where = span(text, e["printed"], e["occurrence"])
        expected_spans.add(where)
        c = by_span.get(where)
        bad = wrong_fields(e, c)
        if not bad:
            correct += 1
            continue
        misses.append(
            {
                "printed": e["printed"],
                "span": list(where),
                "wrong": bad,
                "expected": wanted(e),
                "got": skipped.get(where, "no number there")
                if c is None
                else reading(c) | {"computed": c.computed, "reason": c.reason},
                "computed": e["computed"],
                "note": e["note"],
            }
        )
    for c in report.claims:
        if c.number.span not in expected_spans:
            misses.append(
                {
                    "printed": c.number.printed,
                    "span": list(c.number.span),
                    "wrong": ["not a claim of the expected file"],
                    "expected": None,
                    "got": reading(c) | {"computed": c.computed, "reason": c.reason},
                    "computed": None,
                    "note": "",
                }
            )
    n_expected, n_emitted = len(doc["claims"]), len(report.claims)
    return {
        "text": doc["text"],
        "lang": doc["lang"],
        "published": doc["published"],
        "expected": n_expected,
        "emitted": n_emitted,
        "correct": correct,
        "recall": correct / n_expected if n_expected else 0.0,
        "precision": correct / n_emitted if n_emitted else 0.0,
        "counts": report.counts,
        "held_out_first_run": doc.get("held_out", {}).get("first_run"),
        "misses": misses,
    }


def table(result: dict[str, Any]) -> str:
    """The misses as a plain-text table, one line each."""
    lines = [
        f"{result['text']}: recall {result['recall']:.3f} ({result['correct']}/{result['expected']}), "
        f"precision {result['precision']:.3f} ({result['correct']}/{result['emitted']}), "
        f"{result['seconds']:.2f} s",
    ]
    for m in result["misses"]:
        lines.append(
            f"  {m['printed']!r:34} {','.join(m['wrong']):28} want={m['expected']} got={m['got']} "
            f"data={m['computed']} {m['note']}"
        )
    return "\n".join(lines)


@pytest.fixture(scope="module")
def wh(built_home: Path):  # type: ignore[no-untyped-def]
    from comercio.config import Settings
    from comercio.warehouse import Warehouse

    return Warehouse(Settings(home=built_home, engine="duckdb"), read_only=True)


@pytest.fixture(scope="module")
def results(wh: Any) -> dict[str, tuple[dict[str, Any], CheckReport, dict[str, Any]]]:
    """Every text checked once; the measures written to the artifact before any assertion runs."""
    from comercio.check import check_text

    out: dict[str, tuple[dict[str, Any], CheckReport, dict[str, Any]]] = {}
    for path in EXPECTED:
        doc = load(path)
        started = time.perf_counter()
        report = check_text(wh, doc["body"], lang=doc["lang"], published=doc["published"], source=doc["text"])
        result = score(doc, report) | {"seconds": round(time.perf_counter() - started, 3)}
        out[doc["name"]] = (doc, report, result)
        print("\n" + table(result))
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    summary = {name: {k: v for k, v in r.items() if k != "misses"} for name, (_, _, r) in out.items()}
    for name, (_, report, _) in out.items():
        summary[name]["check_seconds"] = round(report.seconds, 3)
    ARTIFACT.write_text(
        json.dumps(
            {"bar": BAR, "texts": summary, "misses": {n: r["misses"] for n, (_, _, r) in out.items()}},
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    return out


NAMES = [p.name.removesuffix(".expected.json") for p in EXPECTED]
WITH_VARIANTS = [
    n for n, p in zip(NAMES, EXPECTED, strict=True) if any(e.get("variant") for e in load(p)["claims"])
]


def test_there_are_texts_of_both_languages_with_enough_claims() -> None:
    docs = [load(p) for p in EXPECTED]
    assert {d["lang"] for d in docs} == {"es", "en"}
    es = [d for d in docs if d["lang"] == "es"]
    assert any(len(d["claims"]) >= 40 for d in es)
    assert all(len(d["claims"]) >= 15 for d in docs)
    years = {e["window"]["start"][:4] for d in es for e in d["claims"] if e["expected"] != "not_checkable"}
    assert {"2010", "2012", "2015", "2016", "2019", "2021", "2022"} <= years


@pytest.mark.parametrize("path", EXPECTED, ids=NAMES)
def test_expected_file_is_well_formed(path: Path) -> None:
    """Every figure is found in its text, with a known subject kind, measure, verdict and a whole window."""
    doc = load(path)
    spans = []
    for e in doc["claims"] + doc["periods"]:
        spans.append(span(doc["body"], e["printed"], e["occurrence"]))
    assert len(set(spans)) == len(spans), "two entries name the same number"
    for e in doc["claims"]:
        assert e["subject"]["kind"] in get_args(SubjectKind), e
        assert e["measure"] in get_args(Measure), e
        assert e["expected"] in VERDICTS, e
        assert (
            re.fullmatch(r"\d{4}-\d{2}", e["window"]["start"]) and e["window"]["start"] <= e["window"]["end"]
        )
        assert (e["computed"] is None) == (e["expected"] == "not_checkable"), e


@pytest.mark.parametrize("path", EXPECTED, ids=NAMES)
def test_expected_values_come_from_the_mirror(path: Path, built_home: Path) -> None:
    """``make_expected.py`` on the warehouse built from the mirror gives the stored ``computed`` values."""
    spec = importlib.util.spec_from_file_location("make_expected", TEXTS / "make_expected.py")
    assert spec is not None and spec.loader is not None
    mod: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.use_home(built_home)
    for e in load(path)["claims"]:
        if e["expected"] == "not_checkable":
            continue
        got = mod.compute(e, e.get("variant"))
        assert got == pytest.approx(e["computed"], rel=1e-9), e["printed"]
        assert mod.verdict(e, got) == e["expected"], e["printed"]


@pytest.mark.parametrize("name", NAMES)
def test_precision_and_recall(name: str, results: dict[str, Any]) -> None:
    _, _, result = results[name]
    assert result["recall"] >= BAR and result["precision"] >= BAR, table(result)


@pytest.mark.parametrize("name", NAMES)
def test_no_year_of_a_period_is_read_as_a_claim(name: str, results: dict[str, Any]) -> None:
    doc, report, _ = results[name]
    claimed = {c.number.span for c in report.claims}
    periods = {span(doc["body"], p["printed"], p["occurrence"]) for p in doc["periods"]}
    assert not claimed & periods, sorted(claimed & periods)


@pytest.mark.parametrize("name", NAMES)
def test_every_number_is_claimed_or_skipped(name: str, results: dict[str, Any]) -> None:
    """No digit of the text falls outside the checker's claims and skipped numbers, and no figure is lost."""
    doc, report, _ = results[name]
    covered = [c.number.span for c in report.claims] + [s.number.span for s in report.skipped]
    text = doc["body"]
    loose = [m.group(0) for m in DIGITS.finditer(text) if not any(a <= m.start() < b for a, b in covered)]
    assert not loose, loose
    starts = {a for a, _ in covered}
    lost = [e["printed"] for e in doc["claims"] if span(text, e["printed"], e["occurrence"])[0] not in starts]
    assert not lost, lost


@pytest.mark.parametrize("name", WITH_VARIANTS)
def test_a_figure_only_a_variant_reproduces_names_it(name: str, results: dict[str, Any]) -> None:
    """The interior share without "No registrado" and the same-window record count come with their variant."""
    doc, report, _ = results[name]
    by_span = {c.number.span: c for c in report.claims}
    wrong = []
    for e in doc["claims"]:
        if e.get("variant"):
            c = by_span.get(span(doc["body"], e["printed"], e["occurrence"]))
            if c is None or c.variant != e["variant"]:
                wrong.append((e["printed"], e["variant"], None if c is None else c.variant))
    assert not wrong, wrong
