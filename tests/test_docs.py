"""What users read, walked registry by registry (datasette's tests/test_docs.py is the model).

Every CLI command, group and parameter has help; every reference table cites a source; every fact family has
a label and a definition in Spanish and English, a kind and a unit of the declared vocabulary, and the
generated catalogue pages are up to date; every dimension reads in both languages; every message of the
catalogue has both languages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from comercio import i18n, reference
from comercio.cli import _facts, app
from comercio.indicators import facts
from comercio.reference import dimensions

REPO = Path(__file__).resolve().parents[1]


def _tree(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every group and command under ``cmd`` (Typer builds them on its vendored click: duck typing)."""
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from _tree(sub, (*path, name))


ROOT = typer.main.get_command(app)
NODES = list(_tree(ROOT))


def _help(cmd: Any) -> str:
    return str(cmd.help or cmd.short_help or "").strip()


@pytest.mark.parametrize(("path", "cmd"), NODES, ids=[" ".join(p) or "comercio" for p, _ in NODES])
def test_every_command_and_group_has_help(path: tuple[str, ...], cmd: Any) -> None:
    text = _help(cmd)
    assert len(text) >= 10, f"`comercio {' '.join(path)}` has no help text"
    assert text[0].isupper(), f"`comercio {' '.join(path)}` help should read as a sentence: {text!r}"


@pytest.mark.parametrize(("path", "cmd"), NODES, ids=[" ".join(p) or "comercio" for p, _ in NODES])
def test_every_parameter_has_help(path: tuple[str, ...], cmd: Any) -> None:
    undocumented = [
        p.name for p in cmd.params if p.name != "help" and not str(getattr(p, "help", "") or "").strip()
    ]
    assert not undocumented, f"`comercio {' '.join(path)}`: parameters without help: {undocumented}"


def test_the_tree_has_the_data_commands() -> None:
    paths = {p for p, _ in NODES}
    assert {
        ("build",),
        ("ingest",),
        ("validate",),
        ("diff",),
        ("warehouse", "status"),
        ("reference", "show"),
    } <= paths


@pytest.mark.parametrize("name", reference.names())
def test_every_reference_table_has_a_title_and_source(name: str) -> None:
    info = reference.info(name)
    assert info.title.strip() and info.source.strip(), name
    assert info.rows > 0 and info.path.is_file()


FAMILIES = list(facts.catalogue().values())


@pytest.mark.parametrize("fam", FAMILIES, ids=[f.template for f in FAMILIES])
def test_every_fact_family_has_label_and_definition_in_both_languages(fam: facts.Family) -> None:
    for lang in facts.LANGS:
        assert str(fam.label.get(lang, "")).strip(), f"{fam.template}: no {lang} label"
        assert str(fam.definition.get(lang, "")).strip(), f"{fam.template}: no {lang} definition"
        assert fam.definition[lang].rstrip().endswith("."), (
            f"{fam.template}: {lang} definition is not a sentence"
        )
    assert fam.label["es"] != fam.label["en"] or fam.label["es"].isupper(), (
        f"{fam.template}: es label = en label"
    )


@pytest.mark.parametrize("fam", FAMILIES, ids=[f.template for f in FAMILIES])
def test_every_fact_family_uses_the_declared_vocabulary(fam: facts.Family) -> None:
    assert fam.kind in facts.KINDS, f"{fam.template}: kind {fam.kind!r} is not one of {facts.KINDS}"
    assert fam.unit in facts.UNITS, f"{fam.template}: unit {fam.unit!r} is not one of {facts.UNITS}"
    assert fam.member is None or fam.member in dimensions.BY_NAME, f"{fam.template}: member {fam.member!r}"
    for part in fam.parts:
        re.compile(fam.patterns[part])


def test_the_catalogue_refuses_a_kind_or_unit_outside_the_vocabulary() -> None:
    entry = {
        "kind": "value",
        "unit": "usd",
        "label": {"es": "a", "en": "a"},
        "definition": {"es": "b", "en": "b"},
    }
    for key in ("kind", "unit"):
        with pytest.raises(facts.FactError, match=key):
            facts._family("national.value", {**entry, key: "millions"}, {})


@pytest.mark.parametrize("lang", sorted(_facts.DOCS))
def test_the_generated_fact_catalogue_page_is_up_to_date(lang: str) -> None:
    path = REPO / _facts.DOCS[lang]
    assert path.is_file(), f"{path} is missing: run `make docs`"
    assert path.read_text(encoding="utf-8") == _facts.document(lang), (
        f"{path} is out of date: run `make docs`"
    )
    assert all(f"| {f.template} |" in path.read_text(encoding="utf-8") for f in FAMILIES)


def test_the_readme_links_the_fact_catalogue() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(docs/facts.md)" in readme and "comercio facts list" in readme


@pytest.mark.parametrize("dim", dimensions.DIMENSIONS, ids=dimensions.NAMES)
def test_every_dimension_reads_in_both_languages(dim: dimensions.Dimension) -> None:
    assert dim.label_es.strip() and dim.label_en.strip(), f"{dim.name}: no es/en label"
    if dim.labels is None:
        return
    spec = dim.labels
    rows = [
        r for r in reference.load(spec.table).to_pylist() if all(str(r.get(k)) == v for k, v in spec.where)
    ]
    assert rows, f"{dim.name}: no members in {spec.table}"
    missing = [
        (r[spec.code], col) for r in rows for col in (spec.es, spec.en) if not str(r.get(col) or "").strip()
    ]
    assert not missing, f"{dim.name}: members without a name in {spec.table}: {missing[:10]}"


def test_every_message_has_both_languages() -> None:
    i18n.catalogue.cache_clear()
    messages = i18n.catalogue()  # raises MessageError on a missing language or mismatched placeholders
    assert messages
    empty = [(key, lang) for key, texts in messages.items() for lang in i18n.LANGS if not texts[lang].strip()]
    assert not empty, f"messages with an empty text: {empty}"


def test_a_message_without_a_language_is_refused() -> None:
    with pytest.raises(i18n.MessageError, match="no en text"):
        i18n._flatten("cli", {"facts": {"title": {"es": "Catálogo"}}}, {}, "cli.toml")


def test_every_snapshot_file_is_documented() -> None:
    documented = (REPO / "tests/fixtures/README.md").read_text(encoding="utf-8")
    files = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "tests").rglob("__snapshots__/*.ambr"))
    assert files, "no snapshot files found"
    missing = [f for f in files if f"`{f}`" not in documented]
    assert not missing, f"add these snapshots to the table in tests/fixtures/README.md: {missing}"
