"""The one Jinja environment of comercio's report templates: the report page, narratives and studies.

One environment per language loads ``comercio/reports/templates``, fails on a missing context key
(StrictUndefined), writes numbers with the house formatter's filters
(:meth:`~comercio.reports.fmt.Formatter.filters`: ``money``, ``pct``, ``spct``, ``pp``, ``num``,
``millions``, ``figure``) and reads messages through ``t``, the catalogue bound to the language
(``{{ t("common.source") }}``). HTML templates (``*.html.j2``: the report page, HTML and PDF) are
autoescaped; prose templates are plain text, escaped later by the HTML writer, and split into
:func:`paragraphs`. Modules with filters of their own (narrative word lists) pass them as ``filters``.
"""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from comercio.i18n import Messages
from comercio.reports.fmt import Formatter

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>\s*", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n]+")  # ASCII whitespace only: keeps the formatter's U+202F and U+00A0
PARAGRAPH = "<<P>>"  # separates the paragraphs a prose macro renders


def data_uri(path: Path, mime: str = "image/png") -> str:
    """The file as a ``data:`` URI (so the page carries its images)."""
    return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode('ascii')}"


def svg_inline(svg: str, alt: str = "") -> Markup:
    """An SVG document as an inline element with an accessible label."""
    body = _XML_DECL.sub("", svg)
    label = f' role="img" aria-label="{escape(alt)}"' if alt else ""
    body = re.sub(r"<svg\b", f"<svg{label}", body, count=1)
    return Markup(body)  # SVG made by vl-convert from our own spec


def is_html(name: str | None) -> bool:
    """Whether a template is HTML (autoescaped): ``page.html.j2`` yes, ``regional_es.j2`` no."""
    return name is not None and ".html" in name


class _Bytecode(FileSystemBytecodeCache):
    """Compiled templates kept between runs in Jinja's private per-user directory under the system's
    temporary directory, each checked against its template's source checksum (compiling the narratives
    costs a report a fifth of a second). A cache that cannot be written is skipped, never an error."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@cache
def _bytecode() -> _Bytecode | None:
    try:
        return _Bytecode()
    except (RuntimeError, OSError):  # no private temporary directory to be had: compile every time
        return None


@cache
def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("comercio.reports", "templates"),
        autoescape=is_html,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode(),
    )
    env.filters.update(Formatter(lang).filters())
    env.filters["data_uri"] = data_uri
    env.filters["svg_inline"] = svg_inline
    env.globals["t"] = Messages(lang)
    return env


def environment(lang: str, *, filters: Mapping[str, Callable[..., Any]] | None = None) -> Environment:
    """The template environment of one language.

    ``filters`` adds a module's own filters in an overlay (the shared environment is left as it is);
    callers that pass them should keep the result rather than build it per render.
    """
    env = _environment(lang)
    if not filters:
        return env
    extended = env.overlay()
    extended.filters = {**env.filters, **filters}
    return extended


def paragraphs(text: str) -> tuple[str, ...]:
    """Rendered prose as paragraphs: split on :data:`PARAGRAPH`, ASCII whitespace collapsed (the
    formatter's no-break spaces kept), empty paragraphs dropped."""
    out = (_SPACES.sub(" ", p).strip() for p in text.split(PARAGRAPH))
    return tuple(p for p in out if p)


__all__ = ["PARAGRAPH", "data_uri", "environment", "is_html", "paragraphs", "svg_inline"]
