"""The NANDINA reader on the mirror's file, on the publisher's JSON-lines form, and on broken copies."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from comercio.config import Settings
from comercio.errors import ParseError
from comercio.ingest import ingest
from comercio.sources import SOURCES, ReadOptions, nandina
from comercio.warehouse import Warehouse

MIRROR = "nandina/nandina_d885_8digit_es.csv"


@pytest.fixture(scope="module")
def mirror_file(shared_file: Callable[[str], Path]) -> Path:
    return shared_file(MIRROR)


def _read(path: Path, tmp_path: Path) -> dict[str, dict[str, str]]:
    (part,) = nandina.read(path, ReadOptions(Settings(home=tmp_path))).parts
    table = part.rows
    assert part.dataset == "ref_nandina" and not part.conform
    rows = table.to_pylist()  # type: ignore[union-attr]
    return {r["nandina8"]: r for r in rows}


def test_mirror_file_reads_whole(mirror_file: Path, tmp_path: Path) -> None:
    rows = _read(mirror_file, tmp_path)
    assert len(rows) == 7644
    assert rows["08044000"]["label_es"] == "Aguacates (paltas)"
    assert rows["08044000"]["hs6"] == "080440" and rows["08044000"]["chapter"] == "08"
    assert sum(r["posible_truncado"] == "1" for r in rows.values()) == 421
    assert all(len(code) == 8 and code.isdigit() for code in rows)  # leading zeros kept


def test_the_registry_reads_it_with_build(mirror_file: Path) -> None:
    source = SOURCES["nandina"]
    assert source.build and source.dataset == "ref_nandina"
    assert source.resources[0].mirror_path == MIRROR
    assert source.reader is not None and source.reader.read is nandina.read


def test_publisher_jsonl_gives_the_same_codes(mirror_file: Path, tmp_path: Path) -> None:
    """The publisher serves the corpus as JSON lines; other record kinds in it are skipped."""
    with mirror_file.open(encoding="utf-8") as fh:
        source = list(csv.DictReader(fh))
    path = tmp_path / "corpus_rag_v1.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"doc_id": "RGI_1", "tipo": "rgi", "texto": "Regla 1"}) + "\n")
        for r in source:
            record = {
                "doc_id": f"NANDINA_{r['codigo_nandina8']}",
                "tipo": "nandina_8",
                "codigo": r["codigo_nandina8"],
                "titulo": r["descripcion_hoja"],
                "pagina_inicio": int(r["pagina_pdf"]),
                "section": r["seccion"],
                "chapter": r["capitulo"],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    rows = _read(path, tmp_path)
    assert len(rows) == 7644
    assert rows["08044000"]["label_es"] == "Aguacates (paltas)"
    assert rows["01061200"]["posible_truncado"] == "1"  # "… manatíes y": cut at a line break
    assert rows["01012100"]["posible_truncado"] == "0"


def _broken(mirror_file: Path, tmp_path: Path, edit: Callable[[list[str]], list[str]]) -> Path:
    lines = mirror_file.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "nandina_broken.csv"
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "row", "column", "reason"),
    [
        (lambda ls: [*ls[:10], "0101210,010121,Otro,I,01,14,0", *ls[10:]], 11, "codigo_nandina8", "8 digits"),
        (lambda ls: [*ls[:10], ls[2], *ls[10:]], 11, "codigo_nandina8", "repeats row 3"),
        (lambda ls: [*ls[:5], ls[5].replace(",010190,", ",010130,"), *ls[6:]], 6, "hs6", "first six"),
        (lambda ls: [*ls[:5], "01019000,010190,,I,01,14,0", *ls[6:]], 6, "descripcion_hoja", "no label"),
        (lambda ls: [*ls[:7], ls[7][:-1] + "x", *ls[8:]], 8, "posible_truncado", "0 or 1"),
        (lambda ls: [ls[0].replace("hs6", "sa6"), *ls[1:]], 1, "hs6", "missing column"),
    ],
)
def test_a_bad_file_names_row_and_column(
    mirror_file: Path,
    tmp_path: Path,
    edit: Callable[[list[str]], list[str]],
    row: int,
    column: str,
    reason: str,
) -> None:
    with pytest.raises(ParseError, match=reason) as err:
        nandina.read(_broken(mirror_file, tmp_path, edit), ReadOptions(Settings(home=tmp_path)))
    assert (err.value.row, err.value.column, err.value.file) == (row, column, "nandina_broken.csv")


def test_a_cut_file_or_an_empty_one_is_refused(mirror_file: Path, tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="only 99 codes"):
        nandina.read(
            _broken(mirror_file, tmp_path, lambda ls: ls[:100]), ReadOptions(Settings(home=tmp_path))
        )
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ParseError, match="empty"):
        nandina.read(empty, ReadOptions(Settings(home=tmp_path)))


def test_ingest_loads_ref_nandina(mirror_file: Path, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    wh = Warehouse(settings)
    report = ingest(wh, "nandina", [mirror_file], settings=settings)
    assert any("421 labels flagged" in n for n in report.notes)
    table = wh.table("ref_nandina").to_pyarrow()
    assert table.num_rows == 7644
    codes = dict(zip(table.column("nandina8").to_pylist(), table.column("label_es").to_pylist(), strict=True))
    assert codes["09011190"] == "Los demás" and codes["08044000"] == "Aguacates (paltas)"
