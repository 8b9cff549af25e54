"""HS 2022 nomenclature reader: the real table loads; an empty, cut, foreign or incoherent one is refused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from comercio.config import Settings
from comercio.errors import ParseError
from comercio.sources.harmonized import COLUMNS, READER
from comercio.sources.protocol import ReadOptions

HS = "hs/hs2022_en.csv"


@pytest.fixture(scope="module")
def hs_lines(shared_file: Callable[[str], Path]) -> list[str]:
    return shared_file(HS).read_text(encoding="utf-8").splitlines()


def read(path: Path) -> pa.Table:
    [part] = READER.read(path, ReadOptions(Settings(home=path.parent / "home"))).parts
    assert isinstance(part.rows, pa.Table)
    return part.rows


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "harmonized-system.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_real_table_loads_whole(shared_file: Callable[[str], Path]) -> None:
    table = read(shared_file(HS))
    assert tuple(table.column_names) == COLUMNS
    # SOURCES.md: 97 chapters, 1 229 headings, 5 613 subheadings; and the file's TOTAL line
    levels = Counter(int(lv) for lv in table.column("level").to_pylist())
    assert levels == {2: 97, 4: 1229, 6: 5613, 5: 1} and table.num_rows == sum(levels.values())
    assert table.column("hscode").to_pylist()[:3] == ["01", "0101", "010121"]


def _swap(lines: list[str], row: int, old: str, new: str) -> list[str]:
    out = list(lines)
    out[row - 1] = out[row - 1].replace(old, new, 1)
    return out


@pytest.mark.parametrize(
    ("edit", "row", "column", "reason"),
    [
        (lambda ls: ls[:1], None, None, "only 0 rows"),
        (lambda ls: ls[: len(ls) // 2], None, None, "only 3469 rows"),
        (lambda ls: [ls[0], *ls[1:3], ls[2], *ls[3:]], 4, "hscode", "code 0101 repeats row 3"),
        (lambda ls: _swap(ls, 4, "010121", "01012X"), 4, "hscode", "'01012X' is not a 6-digit HS code"),
        (lambda ls: _swap(ls, 4, "010121", "0101211"), 4, "hscode", "is not a 6-digit HS code"),
        (lambda ls: _swap(ls, 4, ",0101,6", ",0102,6"), 4, "parent", "parent '0102' of code 010121"),
        (lambda ls: [ls[0].replace("hscode", "code"), *ls[1:]], 1, "hscode", "missing column(s) hscode"),
        (lambda ls: [ls[0] + ",level", *ls[1:]], 1, "level", "column 'level' appears twice"),
        (
            lambda ls: [",".join(c.split(",")[:2]) for c in ls],
            1,
            "description",
            "missing column(s) description",
        ),
    ],
)
def test_refused(
    tmp_path: Path, hs_lines: list[str], edit: Callable[[list[str]], list[str]], row: int | None,
    column: str | None, reason: str,
) -> None:  # fmt: skip
    with pytest.raises(ParseError) as caught:
        read(write(tmp_path, edit(hs_lines)))
    assert reason in caught.value.reason
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        "harmonized-system.csv",
        row,
        column,
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\n\n", "empty file"),
        (bytes(range(256)) * 4, "NUL bytes"),
        ("a,b".encode("utf-16"), "UTF-16"),
    ],
)
def test_not_a_table(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "hs.csv"
    path.write_bytes(content)
    with pytest.raises(ParseError, match=reason):
        read(path)


def test_directory_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="is a directory"):
        read(tmp_path)
    with pytest.raises(ParseError, match="no such file"):
        read(tmp_path / "absent.csv")
