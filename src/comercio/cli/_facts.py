"""``comercio facts``: the fact catalogue (every family of facts) as text, Markdown or JSON."""

from __future__ import annotations

import json
import textwrap
from enum import StrEnum
from pathlib import Path

import typer

from comercio.cli._common import Lang, console_err
from comercio.i18n import t

app = typer.Typer(
    help="The fact catalogue: every family of facts with its kind, unit, labels and definitions.",
    no_args_is_help=True,
)

# The generated documents (``make docs``); tests/test_docs.py fails when one is out of date.
DOCS: dict[str, str] = {"en": "docs/facts.md", "es": "docs/facts.es.md"}


class CatalogueFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


def document(lang: str) -> str:
    """The Markdown page of the catalogue in ``lang`` (what ``DOCS[lang]`` holds)."""
    from comercio.indicators.facts import catalogue_markdown

    command = f"comercio facts list --format md --lang {lang} --out {DOCS[lang]}"
    intro = t("cli.facts.intro", lang, command=command)
    return f"# {t('cli.facts.title', lang)}\n\n{intro}\n\n{catalogue_markdown(lang)}"


def as_text(lang: str) -> str:
    """One block per family: the template, its kind · unit · member dimension, label and definition."""
    from comercio.indicators.facts import catalogue

    blocks = []
    for fam in catalogue().values():
        tags = " · ".join(x for x in (fam.kind, fam.unit, fam.member) if x)
        definition = textwrap.fill(
            fam.definition[lang], width=100, initial_indent="    ", subsequent_indent="    "
        )
        blocks.append(f"{fam.template}  [{tags}]\n    {fam.label[lang]}\n{definition}\n")
    return "\n".join(blocks)


def as_json() -> str:
    """Every family with both languages (a machine format: ``--lang`` does not apply)."""
    from comercio.indicators.facts import catalogue

    rows = [
        {
            "family": fam.template,
            "parts": {p: fam.patterns[p] for p in fam.parts},
            "kind": fam.kind,
            "unit": fam.unit,
            "member": fam.member,
            "label": dict(fam.label),
            "definition": dict(fam.definition),
        }
        for fam in catalogue().values()
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


@app.command("list")
def list_facts(
    fmt: CatalogueFormat = typer.Option(CatalogueFormat.text, "--format", help="text, md (Markdown) or json"),
    lang: Lang = typer.Option(Lang.en, "--lang", help="language of labels and definitions: es or en"),
    out: Path | None = typer.Option(None, "--out", help="write to this file instead of printing"),
) -> None:
    """Print every declared fact family (the ids that reports, the API and report.json use)."""
    if fmt is CatalogueFormat.md:
        text = document(lang.value)
    elif fmt is CatalogueFormat.json:
        text = as_json()
    else:
        text = as_text(lang.value)
    if out is None:
        print(text, end="")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console_err.print(f"wrote {out}", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="facts")
