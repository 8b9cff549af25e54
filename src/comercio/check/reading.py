"""Read the text to check: plain text (UTF-8, else Windows-1252), HTML (its visible text) or PDF (poppler).

:func:`read_text` returns the text and the name to show for it: the file name only (``stdin`` for ``-``),
never a directory. Errors name the file as :func:`comercio.errors.show_path` shows it and say why. A text
longer than :data:`MAX_TEXT_BYTES` (1 MB in UTF-8) is refused: a release is a few pages, and the check
reads every number of the text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

from comercio.errors import ParseError, SourceError, show_path

MAX_TEXT_BYTES = 1_000_000  # the longest text checked, in UTF-8 bytes
MAX_FILE_BYTES = 20_000_000  # the largest HTML or PDF file read (markup and fonts weigh more than the text)
PDF_SECONDS = 60
TEXT_SUFFIXES = ("", ".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
STDIN = "stdin"

# Elements whose content a reader never sees, and elements that end a paragraph.
_HIDDEN = frozenset({"script", "style", "head", "template", "noscript", "svg", "iframe", "object"})
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot",
        "thead", "tr", "ul",
    }
)  # fmt: skip
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_SENTENCE_END = frozenset('.:!?»”"')
_SHORT_LINE = 0.8  # a line shorter than this share of the block's longest line may end a paragraph
_WHITE = re.compile(r"[ \t\n\r\f\v]+")
_SPACES = re.compile(r"[ \t\r\f\v]+")  # ASCII white space only: a no-break space inside "68 120" stays


def read_text(source: str | Path) -> tuple[str, str]:
    """The text of ``source`` (a file path, or ``-`` for standard input) and the name to show for it."""
    if str(source) == "-":
        return check_size(decode(_read_stream(sys.stdin.buffer), STDIN), STDIN), STDIN
    path = Path(source)
    name, shown = path.name, show_path(path)
    suffix = path.suffix.lower()
    if suffix not in (*TEXT_SUFFIXES, *HTML_SUFFIXES, *PDF_SUFFIXES):
        kinds = ", ".join(s for s in (*TEXT_SUFFIXES, *HTML_SUFFIXES, *PDF_SUFFIXES) if s)
        raise SourceError(f"cannot read {suffix} files; give a text ({kinds}) file or -", file=shown)
    if not path.is_file():
        reason = "is a directory, not a file" if path.is_dir() else "no such file"
        raise SourceError(reason, file=shown)
    if suffix in PDF_SUFFIXES:
        return check_size(pdf_text(path), shown), name
    limit = MAX_FILE_BYTES if suffix in HTML_SUFFIXES else MAX_TEXT_BYTES
    with path.open("rb") as fh:
        raw = _read_stream(fh, limit, shown)
    text = decode(raw, shown)
    if suffix in HTML_SUFFIXES:
        text = html_text(text)
    return check_size(text, shown), name


def _read_stream(fh: BinaryIO, limit: int = MAX_TEXT_BYTES, shown: str = STDIN) -> bytes:
    raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise SourceError(f"larger than {limit // 1_000_000} MB; check a shorter text", file=shown)
    return raw


def check_size(text: str, shown: str) -> str:
    """``text`` when it is at most :data:`MAX_TEXT_BYTES` in UTF-8, else a :class:`SourceError`."""
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise SourceError(
            f"the text is longer than {MAX_TEXT_BYTES // 1_000_000} MB; check a shorter text", file=shown
        )
    return text


def decode(raw: bytes, shown: str) -> str:
    """Bytes as text: UTF-8 (a byte-order mark dropped), else Windows-1252; binary data is refused."""
    if b"\x00" in raw:
        raise ParseError("binary data (NUL bytes), not a text", file=shown)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first = exc.start
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"neither UTF-8 (bad byte at offset {first}) nor Windows-1252 (bad byte 0x{raw[exc.start]:02x} "
            f"at offset {exc.start}); save the text as UTF-8",
            file=shown,
        ) from None


class _Visible(HTMLParser):
    """Collects the text a browser shows: hidden elements dropped, block elements ending a paragraph."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._parts: list[str] = []
        self._hidden: list[str] = []  # the hidden elements we are inside
        self._pre = 0

    def _end_paragraph(self) -> None:
        text = "".join(self._parts)
        self._parts = []
        lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
        body = "\n".join(line for line in lines if line)
        if body:
            self.paragraphs.append(body)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # a <head> left open ends where the body starts
            self._hidden = [h for h in self._hidden if h != "head"]
        if tag in _HIDDEN and tag not in _VOID:
            self._hidden.append(tag)
        elif self._hidden:
            return
        elif tag == "br":
            self._parts.append("\n")
        elif tag in _BLOCK:
            self._end_paragraph()
            self._pre += tag == "pre"
        elif tag in ("td", "th"):
            self._parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._hidden and tag == "br":
            self._parts.append("\n")
        elif not self._hidden and tag in _BLOCK:
            self._end_paragraph()

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            if tag == self._hidden[-1]:
                self._hidden.pop()
            return
        if tag in _BLOCK:
            self._end_paragraph()
            self._pre -= tag == "pre" and self._pre > 0

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        # Outside <pre> a line break in the source is a space; a <br> is the only line break.
        self._parts.append(data if self._pre else _WHITE.sub(" ", data))

    def text(self) -> str:
        self._end_paragraph()
        return "\n\n".join(self.paragraphs)


def html_text(markup: str) -> str:
    """The visible text of an HTML document: script, style and head dropped, character references decoded,
    each block element (paragraph, heading, list item, table row…) a paragraph of its own."""
    parser = _Visible()
    parser.feed(markup)
    parser.close()
    return parser.text()


def pdf_text(path: Path) -> str:
    """The text of a PDF by poppler's ``pdftotext``: the lines of a paragraph joined, paragraphs apart."""
    shown = show_path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SourceError(f"larger than {MAX_FILE_BYTES // 1_000_000} MB; check a shorter text", file=shown)
    exe = shutil.which("pdftotext")
    if exe is None:
        raise SourceError(
            "reading a PDF needs pdftotext, which is not installed",
            file=shown,
            hint="apt-get install poppler-utils, or give the text as .txt",
        )
    try:
        done = subprocess.run(
            [exe, "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=PDF_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise SourceError(f"pdftotext took more than {PDF_SECONDS} s", file=shown) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit code {done.returncode}"
        raise ParseError(f"not a readable PDF ({reason.replace(str(path), shown)})", file=shown)
    return join_lines(done.stdout.decode("utf-8", errors="replace"))


def join_lines(text: str) -> str:
    """Text laid out in lines (as ``pdftotext`` writes it) as paragraphs: the lines of a paragraph joined by a
    space. A blank line or a page break ends a paragraph, and so does a line that ends a sentence well short
    of the block's width (a paragraph's last line, where PDFs often leave no blank line)."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n|\f", text):
        lines = [line for line in (_SPACES.sub(" ", raw).strip() for raw in block.splitlines()) if line]
        width = max((len(line) for line in lines), default=0)
        current: list[str] = []
        for line in lines:
            current.append(line)
            if line[-1] in _SENTENCE_END and len(line) < _SHORT_LINE * width:
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)
