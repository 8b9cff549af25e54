"""The source registry and the reader protocol: one generic ingest loop, no self-registration, layering."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pyarrow as pa
import pytest

from comercio import reference
from comercio.config import Settings
from comercio.errors import ConfigError, ValidationError
from comercio.ingest import ingest
from comercio.sources import (
    BUILD_SOURCES,
    SOURCES,
    Check,
    Part,
    Reader,
    ReadOptions,
    ReadResult,
    Source,
    fetch,
    registry,
)
from comercio.warehouse import Warehouse

SRC = Path(__file__).resolve().parents[2] / "src" / "comercio"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names; ``from a import b`` gives ``a`` and ``a.b``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_every_source_that_feeds_a_dataset_has_a_reader_and_build_sources_are_downloadable() -> None:
    assert [s for s in SOURCES.values() if s.dataset and s.reader is None] == []
    assert BUILD_SOURCES == (
        "bcrp",
        "sunat-cuadros",
        "sunat-declarations",
        "boundaries",
        "hs2022",
        "nandina",
        "wto",
    )
    assert all(SOURCES[name].resources for name in BUILD_SOURCES)
    assert {"infotrade", "sunat-microdata", "baci"} <= set(SOURCES)


def test_no_source_module_imports_ingest_and_reference_does_not_import_sources() -> None:
    """Readers are listed in the registry; nothing registers itself by importing the ingest loop."""
    bad = [
        p.name
        for p in (SRC / "sources").glob("*.py")
        if any(m.startswith("comercio.ingest") for m in _imports(p))
    ]
    assert bad == []
    bad = [
        p.name
        for p in (SRC / "reference").glob("*.py")
        if any(m.startswith("comercio.sources") for m in _imports(p))
    ]
    assert bad == []


def test_no_package_imports_a_private_sources_module() -> None:
    roots = [SRC, SRC.parents[1] / "tests"]
    bad = [
        str(p)
        for root in roots
        for p in root.rglob("*.py")
        if (SRC / "sources") not in p.parents and any(m.startswith("comercio.sources._") for m in _imports(p))
    ]
    assert bad == []


def _toy(tmp_path: Path, rows: int, *, ok: bool = True, keep: bool = False) -> Path:
    path = tmp_path / f"toy-{rows}-{ok}.json"
    path.write_text(json.dumps({"rows": rows, "ok": ok, "keep": keep}), encoding="utf-8")
    return path


def _read_toy(path: Path, options: ReadOptions) -> ReadResult:
    spec = json.loads(path.read_text(encoding="utf-8"))
    table = pa.table({"n": pa.array(range(spec["rows"]), pa.int64())})
    keep = ((path, options.settings.home / "kept" / "toy.json"),) if spec["keep"] else ()
    return ReadResult(
        parts=(Part("ref_toy", "toy", table, conform=False),),
        checks=(
            Check("sum", spec["ok"], "the toy total is off by 3"),
            Check("toy", True, "2 notes", hard=False),
        ),
        extra={"release": "t1"},
        notes=(f"{path.name}: read",),
        keep=keep,
    )


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> str:
    """A source added the way a new one is: a reader and one registry entry (no change to the loop)."""
    reader = Reader(read=_read_toy, targets=lambda _p: (("ref_toy", "toy"),), files="toy JSON")
    monkeypatch.setitem(registry.SOURCES, "toy", Source("toy", "Toy", "tests", (), "ref_toy", reader))
    return "toy"


def test_a_new_source_goes_through_the_generic_loop(toy: str, tmp_path: Path) -> None:
    wh = Warehouse(Settings(home=tmp_path / "home"))
    first = ingest(wh, toy, [_toy(tmp_path, 3, keep=True)])
    assert [(r.dataset, r.slice, r.status) for r in first.results] == [("ref_toy", "toy", "loaded")]
    assert first.notes == ["toy: 2 notes", "toy-3-True.json: read"]
    [vintage] = wh.vintages("ref_toy")
    assert vintage.rows == 3
    assert (tmp_path / "home" / "kept" / "toy.json").is_file()

    again = ingest(wh, toy, [_toy(tmp_path, 3, keep=True)])
    assert [r.status for r in again.results] == ["unchanged"]
    revised = ingest(wh, toy, [_toy(tmp_path, 4)])
    assert [r.status for r in revised.results] == ["loaded"]
    assert [v.number for v in wh.vintages("ref_toy")] == [2]


def test_a_failed_hard_check_refuses_the_file_and_loads_nothing(toy: str, tmp_path: Path) -> None:
    wh = Warehouse(Settings(home=tmp_path / "home"))
    bad = _toy(tmp_path, 3, ok=False)
    with pytest.raises(ValidationError, match="the toy total is off by 3") as err:
        ingest(wh, toy, [bad])
    assert bad.name in str(err.value)
    assert wh.vintages("ref_toy") == []


def test_sources_without_downloads_and_quarantine_say_what_to_do(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    with pytest.raises(ConfigError, match="comercio ingest baci"):
        fetch("baci", settings, progress=False)
    wh = Warehouse(settings)
    with pytest.raises(ConfigError, match=r"BACI_HSxx_Vyyyymm\.zip"):
        ingest(wh, "baci")
    with pytest.raises(ConfigError, match="sunat-microdata, not to 'bcrp'"):
        ingest(wh, "bcrp", quarantine=True)
    with pytest.raises(ConfigError, match="unknown source 'nope'"):
        ingest(wh, "nope")


def test_boundaries_are_kept_at_ingest_and_read_through_reference(shared_data: Path, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, mirror=str(shared_data))
    assert reference.boundaries(settings) is None
    fetched = fetch("boundaries", settings, progress=False)
    assert reference.boundaries(settings) is None  # the download cache is not where maps look
    report = ingest(Warehouse(settings), "boundaries", [f.path for f in fetched], fetched=fetched)
    assert report.results == [] and "departments kept for maps" in report.notes[0]
    geo = reference.boundaries(Settings(home=tmp_path))
    assert geo is not None and geo["type"] == "FeatureCollection"
    assert len({f["properties"]["FIRST_IDDP"] for f in geo["features"]}) == 25
