"""Reading the text to check: plain text in two encodings, HTML's visible text, PDF through poppler, stdin,
and errors that name the file (never its directory) and say why."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

from comercio.check import reading
from comercio.check.reading import MAX_TEXT_BYTES, html_text, join_lines, read_text
from comercio.errors import ComercioError, ParseError, SourceError

SENTENCE = "Cajamarca exportó US$\u00a03\u202f530,1 millones, un 64 % más que en 2021."


def test_utf8_text_keeps_every_character_and_shows_the_file_name_only(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "nota.txt"
    path.parent.mkdir()
    path.write_text(SENTENCE + "\n\nSegundo párrafo.", encoding="utf-8")
    text, name = read_text(path)
    assert text == SENTENCE + "\n\nSegundo párrafo."
    assert name == "nota.txt"


def test_a_byte_order_mark_is_dropped_and_markdown_or_no_suffix_read_as_text(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"\xef\xbb\xbf# T\xc3\xadtulo")
    (tmp_path / "nota").write_text("sin sufijo 19,8 %", encoding="utf-8")
    assert read_text(tmp_path / "a.md") == ("# Título", "a.md")
    assert read_text(str(tmp_path / "nota")) == ("sin sufijo 19,8 %", "nota")


def test_windows_1252_is_the_fallback(tmp_path: Path) -> None:
    path = tmp_path / "viejo.txt"
    path.write_bytes("Exportación de café: US$ 850 millones – “récord”".encode("cp1252"))
    assert read_text(path)[0] == "Exportación de café: US$ 850 millones – “récord”"


def test_bytes_neither_utf8_nor_windows_1252_are_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "roto.txt"
    path.write_bytes(b"caf\xe9 \x81 19,8 %")  # 0xe9 is not UTF-8 here, 0x81 is undefined in Windows-1252
    with pytest.raises(ParseError) as err:
        read_text(path)
    message = err.value.display(cwd=Path("/nonexistent"))
    assert message.startswith("roto.txt: neither UTF-8")
    assert "0x81" in message and str(tmp_path) not in message


def test_binary_data_is_not_a_text(tmp_path: Path) -> None:
    path = tmp_path / "imagen.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(ParseError, match="binary data"):
        read_text(path)


def test_html_gives_the_visible_text_with_entities_decoded() -> None:
    markup = (
        "<!doctype html><html><head><title>No es texto</title><style>p { color: red }</style>"
        "<script>var x = '19,8 %';</script></head><body>"
        "<h1>Exportaciones &amp; regiones</h1>\n<p>Las exportaciones\n   crecieron <b>19,8&nbsp;%</b>"
        " en 2025.<br>Segunda l&iacute;nea &#8211; 68&#x202f;120</p>"
        "<ul><li>Cajamarca (+64 %)</li><li>Lambayeque (+30 %)</li></ul>"
        "<table><tr><td>Puno</td><td>12 %</td></tr></table>"
        "<noscript>activar</noscript><template><p>oculto</p></template><div>fin<img src=x.png></div>"
        "</body></html>"
    )
    assert html_text(markup) == (
        "Exportaciones & regiones\n\n"
        "Las exportaciones crecieron 19,8\u00a0% en 2025.\nSegunda línea – 68\u202f120\n\n"
        "Cajamarca (+64 %)\n\nLambayeque (+30 %)\n\nPuno 12 %\n\nfin"
    )


def test_a_script_in_the_body_and_an_unclosed_head_leave_nothing_behind() -> None:
    markup = "<html><head><title>x</title><body><p>Uno</p><script>alert('<p>2</p>')</script><p>Tres</p>"
    assert html_text(markup) == "Uno\n\nTres"


def test_html_file_is_read_as_its_visible_text(tmp_path: Path) -> None:
    path = tmp_path / "nota.HTML"
    path.write_text("<p>Primero 5 %</p><p>Segundo</p>", encoding="utf-8")
    assert read_text(path) == ("Primero 5 %\n\nSegundo", "nota.HTML")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_a_pdf_is_read_back_as_paragraphs(tmp_path: Path) -> None:
    from weasyprint import HTML

    path = tmp_path / "nota.pdf"
    long = " ".join(["Entre enero y noviembre de 2025 las exportaciones regionales crecieron 19,8 %."] * 4)
    HTML(string=f"<p>{long}</p><p>Cajamarca exportó US$ 3 530 millones.</p>").write_pdf(path)
    text, name = read_text(path)
    assert name == "nota.pdf"
    paragraphs = text.split("\n\n")
    assert [" ".join(p.split()) for p in paragraphs] == [long, "Cajamarca exportó US$ 3 530 millones."]
    assert "\n" not in paragraphs[0]  # the lines of the first paragraph are joined


def test_pdf_lines_are_joined_and_pages_split_paragraphs() -> None:
    assert (
        join_lines("Una línea\n  y otra\n\nNuevo\fPágina dos\n") == "Una línea y otra\n\nNuevo\n\nPágina dos"
    )


def test_a_pdf_without_pdftotext_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nota.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    monkeypatch.setattr(reading.shutil, "which", lambda name: None)
    with pytest.raises(SourceError) as err:
        read_text(path)
    assert "pdftotext" in err.value.message and "poppler-utils" in err.value.message
    assert err.value.display(cwd=Path("/nonexistent")).startswith("nota.pdf: ")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_a_broken_pdf_is_a_parse_error_without_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "roto.pdf"
    path.write_bytes(b"no soy un PDF")
    with pytest.raises(ParseError) as err:
        read_text(path)
    message = err.value.display(cwd=Path("/nonexistent"))
    assert message.startswith("roto.pdf: not a readable PDF") and str(tmp_path) not in message


def test_stdin_is_read_as_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SENTENCE.encode("utf-8"))))
    assert read_text("-") == (SENTENCE, "stdin")


def test_a_text_over_one_megabyte_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "largo.txt"
    path.write_bytes(b"1 " * (MAX_TEXT_BYTES // 2) + b"x")
    with pytest.raises(SourceError, match="larger than 1 MB"):
        read_text(path)
    path.write_bytes(b"1 " * (MAX_TEXT_BYTES // 2))  # exactly the bound: accepted
    assert len(read_text(path)[0]) == MAX_TEXT_BYTES
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"9" * (MAX_TEXT_BYTES + 1))))
    with pytest.raises(SourceError, match="stdin: larger than 1 MB"):
        read_text("-")


def test_the_bound_counts_the_visible_text_of_html(tmp_path: Path) -> None:
    path = tmp_path / "grande.html"
    path.write_text("<p>" + "á" * (MAX_TEXT_BYTES // 2 + 1) + "</p>", encoding="utf-8")  # 2 bytes each
    with pytest.raises(SourceError, match="longer than 1 MB"):
        read_text(path)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("falta.txt", "no such file"),
        ("carpeta.txt", "is a directory"),
        ("nota.docx", "cannot read .docx files"),
    ],
)
def test_errors_name_the_file_and_the_reason(tmp_path: Path, name: str, reason: str) -> None:
    (tmp_path / "carpeta.txt").mkdir()
    with pytest.raises(ComercioError) as err:
        read_text(tmp_path / name)
    message = err.value.display(cwd=Path("/nonexistent"))
    assert message.startswith(f"{name}: ") and reason in message
    assert str(tmp_path) not in message


def test_a_short_line_that_ends_a_sentence_ends_a_paragraph() -> None:
    laid_out = (
        "Las exportaciones regionales crecieron 19,8 % entre enero y\n"
        "noviembre, el doble que Lima y Callao.\n"
        "Cajamarca lideró con un aumento de 64 % y Puno, que sumó\n"
        "US$ 1 200 millones, otro 12 %.\n"
    )
    assert join_lines(laid_out) == (
        "Las exportaciones regionales crecieron 19,8 % entre enero y noviembre, el doble que Lima y Callao."
        "\n\n"
        "Cajamarca lideró con un aumento de 64 % y Puno, que sumó US$ 1 200 millones, otro 12 %."
    )
