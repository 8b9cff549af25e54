"""The outputs of a check: Markdown, a standalone HTML page, JSON and XLSX, and the HTML of the dashboard.

* JSON is exactly :meth:`CheckReport.as_dict` (the English codes of issue 17: verdict ``consistent`` …).
* Markdown and XLSX: where the text came from, the data used, the counts by verdict, a table of the claims
  and one of the figures not checked.
* HTML: the text itself with every figure marked by its verdict (colour *and* symbol), its computed value and
  reason on hover or focus, each mark linked to its row of the side table; no external assets.

Every word a reader sees comes from the message catalogue (``comercio/i18n/check.toml``); figures are written
by the house formatter (:class:`comercio.reports.fmt.Formatter`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from comercio.check._html import html_fragment, html_page, stylesheet
from comercio.check._markdown import markdown
from comercio.check.model import CheckReport
from comercio.errors import ConfigError
from comercio.i18n import LANGS

FORMATS: tuple[str, ...] = ("md", "html", "json", "xlsx")


def to_json(report: CheckReport) -> str:
    """The report as JSON text: :meth:`CheckReport.as_dict`, UTF-8 characters kept, indented."""
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"


def parse_formats(text: str | Sequence[str]) -> list[str]:
    """``"md,html"`` or ``["md", "html"]`` as a list of known formats, in the order given, without repeats."""
    items = text.split(",") if isinstance(text, str) else list(text)
    out: list[str] = []
    for raw in items:
        name = raw.strip().lower()
        if not name:
            continue
        if name not in FORMATS:
            raise ConfigError(
                f"unknown format {raw.strip()!r}; use some of {', '.join(FORMATS)}", field="format"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise ConfigError(f"no format given; use some of {', '.join(FORMATS)}", field="format")
    return out


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise ConfigError(f"unsupported language {lang!r}; use one of {', '.join(LANGS)}", field="lang")
    return lang


def render(report: CheckReport, fmt: str, lang: str = "es") -> str | bytes:
    """The report in one format: ``md``, ``html``, ``json`` (text) or ``xlsx`` (bytes)."""
    (name,) = parse_formats([fmt])
    lang = _lang(lang)
    if name == "md":
        return markdown(report, lang)
    if name == "html":
        return html_page(report, lang)
    if name == "json":
        return to_json(report)
    from comercio.check._xlsx import xlsx_bytes

    return xlsx_bytes(report, lang)


def write(report: CheckReport, formats: Sequence[str], out: Path, lang: str) -> list[Path]:
    """Write the report in each of ``formats`` into the directory ``out`` (created when missing) as
    ``check.<format>``; returns the paths written, in the order of ``formats``."""
    names = parse_formats(formats)
    lang = _lang(lang)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in names:
        path = out / f"check.{name}"
        body = render(report, name, lang)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
        written.append(path)
    return written


__all__ = ["FORMATS", "html_fragment", "parse_formats", "render", "stylesheet", "to_json", "write"]
