"""CEPII BACI reader: a tiny release zip in the published layout, read back exactly, and every bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from comercio.errors import ConfigError, ParseError, ReferenceDataError, SourceError
from comercio.sources import convert_basket_prefixes
from comercio.sources.baci import ExclusionReport, iter_baci, open_release, write_baci_partitioned
from comercio.warehouse.schema import WORLD_TRADE

COUNTRIES = (
    "country_code,country_name,country_iso2,country_iso3\n"
    "4,Afghanistan,AF,AFG\n"
    "152,Chile,CL,CHL\n"
    "516,Namibia,NA,NAM\n"
    "604,Peru,PE,PER\n"
    "842,USA,US,USA\n"
    '490,"Other Asia, nes",,S19\n'
)
PRODUCTS = "code,description\n010121,Horses\n730890,Structures\n847130,Laptops\n854140,Diodes\n"
# Right-aligned values and an NA quantity as in the V2024xx files; 2022 has a blank quantity.
Y2021 = (
    "t,i,j,k,v,q\n"
    "2021,604,842,730890,        1.500,        0.250\n"
    "2021,604,152,10121,       12.000,           NA\n"
    "2021,490,604,847130,     2500.125,       10.000\n"
)
Y2022 = "t,i,j,k,v,q\n2022,152,604,854140,0.001,\n2022,516,604,730890,3.25,1.5\n"


def make_zip(
    tmp: Path, *, name: str = "BACI_HS17_V202501.zip", members: dict[str, str] | None = None
) -> Path:
    files = {
        "BACI_HS17_Y2021_V202501.csv": Y2021,
        "BACI_HS17_Y2022_V202501.csv": Y2022,
        "country_codes_V202501.csv": COUNTRIES,
        "product_codes_HS17_V202501.csv": PRODUCTS,
        "Readme.txt": "BACI\n",
    }
    files.update(members or {})
    path = tmp / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member, text in files.items():
            if text is not None:
                zf.writestr(member, text)
    return path


def read_all(path: Path, **kw: object) -> list[dict[str, object]]:
    batches = list(iter_baci(path, **kw))  # type: ignore[arg-type]
    return pa.Table.from_batches(batches, schema=WORLD_TRADE.schema).to_pylist()


def test_reads_back_exactly(tmp_path: Path) -> None:
    rows = read_all(make_zip(tmp_path))
    base = {"hs_version": "HS17", "synthetic": False, "source": "BACI_HS17_V202501.zip"}
    assert rows == [
        {"year": 2021, "exporter": "PER", "importer": "USA", "hs6": "730890", "value_usd": 1500.0,
         "quantity_t": 0.25, **base},
        {"year": 2021, "exporter": "PER", "importer": "CHL", "hs6": "010121", "value_usd": 12000.0,
         "quantity_t": None, **base},
        {"year": 2021, "exporter": "S19", "importer": "PER", "hs6": "847130", "value_usd": 2500125.0,
         "quantity_t": 10.0, **base},
        {"year": 2022, "exporter": "CHL", "importer": "PER", "hs6": "854140", "value_usd": 1.0,
         "quantity_t": None, **base},
        {"year": 2022, "exporter": "NAM", "importer": "PER", "hs6": "730890", "value_usd": 3250.0,
         "quantity_t": 1.5, **base},
    ]  # fmt: skip


def test_batches_conform_and_respect_batch_rows(tmp_path: Path) -> None:
    batches = list(iter_baci(make_zip(tmp_path), years={2021}, batch_rows=2))
    assert [b.num_rows for b in batches] == [2, 1]
    table = pa.Table.from_batches(batches)
    assert WORLD_TRADE.conform(table).schema == WORLD_TRADE.schema


def test_synthetic_marker(tmp_path: Path) -> None:
    marked = make_zip(tmp_path, members={"SYNTHETIC.txt": "datos sintéticos / synthetic data\n"})
    assert {r["synthetic"] for r in read_all(marked)} == {True}
    named = make_zip(tmp_path, name="BACI_HS17_V202501_SYNTH.zip")
    assert open_release(named).synthetic


def test_unknown_country_code_names_member_row_column(tmp_path: Path) -> None:
    bad = Y2021 + "2021,999,604,730890,1.0,1.0\n"
    path = make_zip(tmp_path, members={"BACI_HS17_Y2021_V202501.csv": bad})
    with pytest.raises(ParseError) as err:
        read_all(path)
    e = err.value
    assert e.file == "BACI_HS17_V202501.zip!BACI_HS17_Y2021_V202501.csv"
    assert (e.row, e.column) == (5, "i")
    assert "'999'" in e.reason


def test_exclusions_are_counted_not_dropped(tmp_path: Path) -> None:
    bad = Y2021 + "2021,999,604,730890,1.0,1.0\n2021,604,998,847130,2.0,NA\n2021,604,842,8471,4.0,NA\n"
    path = make_zip(tmp_path, members={"BACI_HS17_Y2021_V202501.csv": bad})
    report = ExclusionReport()
    rows = read_all(path, years={2021}, exclusions=report)
    assert len(rows) == 3
    assert report.rows == 3
    assert report.value_usd == pytest.approx(7000.0)
    assert report.codes["i"] == {"999": 1}
    assert report.codes["j"] == {"998": 1}
    assert report.codes["k"] == {"8471": 1}


@pytest.mark.parametrize("code", ["8471", "8471300", "84713A", "847131"])
def test_bad_product_codes(tmp_path: Path, code: str) -> None:
    bad = f"t,i,j,k,v,q\n2021,604,842,{code},1.0,1.0\n"
    path = make_zip(tmp_path, members={"BACI_HS17_Y2021_V202501.csv": bad})
    with pytest.raises(ParseError) as err:
        read_all(path, years={2021})
    assert (err.value.row, err.value.column) == (2, "k")


def test_bad_value_and_wrong_year(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path, members={"BACI_HS17_Y2021_V202501.csv": "t,i,j,k,v,q\n2021,604,842,730890,abc,1\n"}
    )
    with pytest.raises(ParseError, match="not a number") as err:
        read_all(path, years={2021})
    assert (err.value.row, err.value.column) == (2, "v")
    path = make_zip(
        tmp_path, members={"BACI_HS17_Y2021_V202501.csv": "t,i,j,k,v,q\n2020,604,842,730890,1,1\n"}
    )
    with pytest.raises(ParseError, match="year 2020 in the 2021 file"):
        read_all(path, years={2021})


def test_missing_year_names_available_years(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"\[2024\] not in this release; available: 2021–2022"):
        read_all(make_zip(tmp_path), years={2021, 2024})


def test_revision_mismatch(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path,
        members={"product_codes_HS17_V202501.csv": None, "product_codes_HS22_V202501.csv": PRODUCTS},  # type: ignore[dict-item]
    )
    with pytest.raises(ParseError, match="revision mismatch: zip is HS17 but product file"):
        open_release(path)
    path = make_zip(tmp_path, members={"BACI_HS22_Y2023_V202501.csv": Y2022})
    with pytest.raises(ParseError, match="revision mismatch"):
        open_release(path)


def test_truncated_zip(tmp_path: Path) -> None:
    path = make_zip(tmp_path)
    data = path.read_bytes()
    cut = tmp_path / "BACI_HS17_V202501_cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError, match="truncated"):
        read_all(cut)


def test_corrupted_member_is_reported(tmp_path: Path) -> None:
    big = "t,i,j,k,v,q\n" + "".join(f"2021,604,842,730890,{n}.5,1\n" for n in range(20000))
    path = make_zip(tmp_path, members={"BACI_HS17_Y2021_V202501.csv": big})
    data = bytearray(path.read_bytes())
    offset = data.find(b"BACI_HS17_Y2021_V202501.csv") + 200  # inside the compressed data of that member
    data[offset : offset + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError) as err:
        read_all(path, years={2021})
    assert err.value.file is not None and err.value.file.endswith("BACI_HS17_Y2021_V202501.csv")


def test_write_partitioned(tmp_path: Path) -> None:
    out = tmp_path / "world"
    result = write_baci_partitioned(make_zip(tmp_path), out, batch_rows=2, rows_per_file=2)
    assert result.rows == {2021: 3, 2022: 2}
    assert result.value_usd[2021] == pytest.approx(1500 + 12000 + 2500125)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.parquet")) == [
        "year=2021/part-00000.parquet",
        "year=2021/part-00001.parquet",
        "year=2022/part-00000.parquet",
    ]
    assert all(p.exists() for p in result.files)
    assert not list(out.glob(".staging-*"))
    con = duckdb.connect()
    table = con.sql(
        "select * replace (year::int as year) "
        f"from read_parquet('{out}/*/*.parquet', hive_partitioning=true) order by year, exporter, importer"
    ).to_arrow_table()
    conformed = WORLD_TRADE.conform(table)
    assert conformed.num_rows == 5
    assert conformed.column("exporter").to_pylist() == ["PER", "PER", "S19", "CHL", "NAM"]


def test_failed_write_leaves_out_dir_as_before(tmp_path: Path) -> None:
    out = tmp_path / "world"
    write_baci_partitioned(make_zip(tmp_path), out)
    before = sorted((p.as_posix(), p.stat().st_mtime_ns) for p in out.rglob("*.parquet"))
    bad = make_zip(tmp_path, name="BACI_HS17_V202502.zip",
                   members={"BACI_HS17_Y2022_V202501.csv": Y2022 + "2022,1,604,730890,1,1\n"})  # fmt: skip
    with pytest.raises(ParseError):
        write_baci_partitioned(bad, out)
    assert sorted((p.as_posix(), p.stat().st_mtime_ns) for p in out.rglob("*.parquet")) == before
    assert not list(out.glob(".staging-*"))


# --- HS revision concordance (baskets restated between revisions) -------------------------------------------


def test_chapters_map_to_themselves() -> None:
    basket = ["73", "82", "83", "84", "85", "86", "87", "88", "89", "90"]
    conv = convert_basket_prefixes(basket, "HS17", "HS22")
    assert conv.prefixes == tuple(basket)


def test_split_and_unchanged_subheadings() -> None:
    conv = convert_basket_prefixes(["854140", "847130", "851762", "730890"], "HS17", "HS22")
    assert conv.prefixes == ("854141", "854142", "854143", "854149", "847130", "851762", "730890")
    assert any("854140" in n for n in conv.notes)


def test_heading_keeps_codes_that_leave_it() -> None:
    conv = convert_basket_prefixes(["8548"], "HS17", "HS22")
    assert conv.prefixes == ("8548", "854911", "854912", "854913", "854914", "854919")


def test_backwards_and_identity() -> None:
    assert convert_basket_prefixes(["854143"], "HS22", "HS17").prefixes == ("854140",)
    assert convert_basket_prefixes(["8541"], "HS17", "HS17").prefixes == ("8541",)


def test_bad_conversion_requests() -> None:
    with pytest.raises(ConfigError, match="2 to 6 digits"):
        convert_basket_prefixes(["7"], "HS17", "HS22")
    with pytest.raises(ConfigError, match="unknown HS revision"):
        convert_basket_prefixes(["73"], "HS17", "HS27")
    with pytest.raises(ReferenceDataError, match="HS12 → HS17"):
        convert_basket_prefixes(["73"], "HS12", "HS22")


# --- what is never data (issue 16) ----------------------------------------------------------------------

YEAR_MEMBER = "BACI_HS17_Y2021_V202501.csv"


@pytest.mark.parametrize(
    ("member", "content", "row", "column", "reason"),
    [
        (YEAR_MEMBER, "t,i,j,k,v,q\n2021,604,842,730890,-1.5,1\n", 2, "v", "-1.5 is negative"),
        (
            YEAR_MEMBER,
            "t,i,j,k,v,q\n2021,604,842,730890,1,1\n2021,604,152,730890,nan,1\n",
            3,
            "v",
            "not finite",
        ),
        (YEAR_MEMBER, "t,i,j,k,v,q\n2021,604,842,730890,inf,1\n", 2, "v", "inf is not finite"),
        (YEAR_MEMBER, "t,i,j,k,v,q\n2021,604,842,730890,1e300,1\n", 2, "v", "is implausible"),
        (YEAR_MEMBER, "t,i,j,k,v,q\n2021,604,842,730890,1,-3\n", 2, "q", "quantity (t) -3.0 is negative"),
        (
            YEAR_MEMBER,
            "t,i,j,k,v,q\n2021,604,842,730890,1,1\n2021,604,152,730890,1,1\n2021,604,842,730890,2,1\n",
            4,
            "k",
            "repeat line 2",
        ),
        (YEAR_MEMBER, "year,exp,imp,hs,val,qty\n2021,604,842,730890,1,1\n", 1, "t", "missing column(s) t, i"),
        (YEAR_MEMBER, "t,i,j,k,v,v,q\n2021,604,842,730890,1,2,1\n", 1, "v", "column 'v' appears twice"),
        (YEAR_MEMBER, "t,i,j,k,v,q\n", 2, None, "no data lines"),
        (YEAR_MEMBER, "", 1, None, "empty member"),
        (YEAR_MEMBER, "t,i,j,k,v,q\n2021,604,842,730890,1,1\n".encode("utf-16"), None, None, "UTF-16"),
        (YEAR_MEMBER, bytes(range(256)) * 8, None, None, "NUL bytes"),
        ("country_codes_V202501.csv", bytes(range(256)) * 4, None, None, "NUL bytes"),
        ("country_codes_V202501.csv", COUNTRIES.encode("utf-16"), None, None, "UTF-16"),
        (
            "product_codes_HS17_V202501.csv",
            "codigo,desc\n010121,Horses\n",
            1,
            "code",
            "missing column(s) code",
        ),
    ],
)
def test_never_data(
    tmp_path: Path, member: str, content: str | bytes, row: int | None, column: str | None, reason: str
) -> None:
    path = make_zip(tmp_path, members={member: content})  # type: ignore[dict-item]
    with pytest.raises(ParseError) as err:
        read_all(path, years={2021})
    assert reason in err.value.reason
    assert (err.value.row, err.value.column) == (row, column)
    assert err.value.file == f"{path.name}!{member}"


def test_bad_crc_directory_and_missing_path(tmp_path: Path) -> None:
    import struct

    path = make_zip(tmp_path)
    data = bytearray(path.read_bytes())
    name = YEAR_MEMBER.encode()
    for start in (0, data.find(b"PK\x01\x02")):  # the first local header, the central directory
        # the member's CRC-32 in its local header (offset 14) and central directory entry (offset 16)
        at = data.find(name, start)
        offset = at - 30 + 14 if start == 0 else at - 46 + 16
        (crc,) = struct.unpack_from("<I", data, offset)
        struct.pack_into("<I", data, offset, crc ^ 0xA5A5A5A5)
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError, match="CRC") as err:
        read_all(path)
    assert err.value.file is not None and err.value.file.startswith(path.name)
    (tmp_path / "readme").mkdir()
    readme = make_zip(tmp_path / "readme")
    data = bytearray(readme.read_bytes())
    at = data.find(b"Readme.txt", data.find(b"PK\x01\x02"))  # the readme's central directory entry
    struct.pack_into("<I", data, at - 46 + 16, struct.unpack_from("<I", data, at - 46 + 16)[0] ^ 1)
    readme.write_bytes(bytes(data))
    with pytest.raises(ParseError, match="corrupt member") as err:
        open_release(readme)
    assert err.value.file == f"{readme.name}!Readme.txt"
    with pytest.raises(ParseError, match="is a directory"):
        read_all(tmp_path)
    with pytest.raises(ParseError, match="no such file") as err:
        read_all(tmp_path / "BACI_HS17_V202601.zip")
    assert str(tmp_path) not in str(err.value)
