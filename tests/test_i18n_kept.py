"""The message catalogue is kept between runs, keyed by its files' texts, and is the same parsed or kept."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from comercio import i18n


def _fresh(monkeypatch: pytest.MonkeyPatch, tmp: Path) -> dict[str, dict[str, str]]:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp))
    i18n.catalogue.cache_clear()
    try:
        return i18n.catalogue()
    finally:
        i18n.catalogue.cache_clear()


def test_the_kept_catalogue_is_the_parsed_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    parsed = _fresh(monkeypatch, tmp_path)
    (kept,) = tmp_path.glob("comercio-*/messages-*.json")
    assert json.loads(kept.read_text("utf-8")) == parsed
    assert kept.parent.stat().st_mode & 0o777 == 0o700
    kept.write_text(json.dumps({"marked.kept": {"es": "guardado", "en": "kept"}}), encoding="utf-8")
    assert _fresh(monkeypatch, tmp_path) == {"marked.kept": {"es": "guardado", "en": "kept"}}  # not parsed


def test_an_unreadable_or_foreign_cache_is_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    parsed = _fresh(monkeypatch, tmp_path / "a")
    (kept,) = (tmp_path / "a").glob("comercio-*/messages-*.json")
    kept.write_text("{not json", encoding="utf-8")
    assert _fresh(monkeypatch, tmp_path / "a") == parsed  # parsed again (and kept again)
    assert json.loads(kept.read_text("utf-8")) == parsed
    shared = tmp_path / "b" / kept.parent.name
    shared.mkdir(parents=True, mode=0o777)
    shared.chmod(0o777)  # a directory others may write: not used
    assert _fresh(monkeypatch, tmp_path / "b") == parsed and not list(shared.iterdir())
