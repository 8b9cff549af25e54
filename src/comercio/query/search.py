"""Product and country search, in Spanish or English, accents and case optional.

``search("palta")`` finds subheading 080440 (NANDINA "Aguacates (paltas)", HS "avocados"); ``"cafe"`` the
heading 0901; ``"chile"`` the country CL. A text of digits (dots and spaces ignored) finds codes starting
with it. Every word of the text must begin a word of a name (a trailing plural ``s`` is forgiven:
"paltas" finds "palta"). Ranking: a name equal to the text first, then a name starting with it, then any
other match; among equals, product groups and countries before codes, coarser codes before finer ones,
shorter labels first. The entries come from :mod:`comercio.query._search_index`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from comercio.errors import ConfigError
from comercio.query import _search_index as index

if TYPE_CHECKING:
    from comercio.warehouse import Warehouse

Kind = Literal["product", "partner", "any"]
KINDS: tuple[str, ...] = ("product", "partner", "any")
MAX_LIMIT = 100
MAX_TEXT = 100


@dataclass(frozen=True)
class Hit:
    """One answer: the code, its level (hs2, hs4, hs6, nandina8, country, continent), its label in the asked
    language, the name that matched, and the query dimension to filter by (``where=<dimension>=<code>``)."""

    code: str
    level: str
    label: str
    matched: str
    dimension: str


def _patterns(tokens: list[str]) -> list[re.Pattern[str]]:
    """One pattern per word of the text: it must begin a word of the name (a plural ``s`` is forgiven)."""
    stems = [t[:-1] if len(t) > 3 and t.endswith("s") else t for t in tokens]
    return [re.compile(r"(?:^| )" + re.escape(s)) for s in stems]


def _any_name(patterns: list[re.Pattern[str]], blob: str) -> bool:
    return all(p.search(blob) for p in patterns)


def _score(query: str, patterns: list[re.Pattern[str]], folded: str) -> int:
    """3: the (folded) name is the text; 2: it starts with it; 1: every word of the text begins one of its
    words."""
    if folded == query:
        return 3
    if not all(p.search(folded) for p in patterns):
        return 0
    return 2 if folded.startswith(query) else 1


def _entries(kind: str, wh: Warehouse | None) -> tuple[index.Entry, ...]:
    out: tuple[index.Entry, ...] = ()
    if kind in ("product", "any"):
        out += wh.memo(("query.search.products", wh.version()), lambda: index.products(wh)) if wh else ()
        out += () if wh else index.products(None)
    if kind in ("partner", "any"):
        out += index.partners()
    return out


def search(
    text: str,
    kind: str = "any",
    lang: str = "es",
    limit: int = 20,
    *,
    wh: Warehouse | None = None,
) -> list[Hit]:
    """Products (``ref_hs2022`` and ``ref_nandina`` of ``wh``, and the product groups) and partners matching
    ``text``, best first, at most ``limit``."""
    if kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r}; choose {', '.join(KINDS)}", field="kind")
    if lang not in ("es", "en"):
        raise ConfigError(f"unsupported language {lang!r}; use es or en", field="lang")
    if not 1 <= limit <= MAX_LIMIT:
        raise ConfigError(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    if len(text) > MAX_TEXT:
        raise ConfigError(f"at most {MAX_TEXT} characters to search", field="q")
    query = index.fold(text)
    if not query:
        return []
    digits = query.replace(" ", "")
    patterns = _patterns(query.split())
    found: dict[tuple[str, str], tuple[tuple[int, int, int, str], Hit]] = {}
    for e in _entries(kind, wh):
        if digits.isdigit():
            best = (3 if e.code == digits else 2 if e.code.startswith(digits) else 0), e.code
        elif not _any_name(patterns, e.blob):
            continue
        else:
            best = max(
                ((_score(query, patterns, f), n) for f, n in zip(e.folded, e.names, strict=True)),
                default=(0, ""),
            )
        if best[0] == 0:
            continue
        label = e.label_es if lang == "es" else e.label_en
        key = (
            (-best[0], len(e.code), 0, e.code) if digits.isdigit() else (-best[0], e.rank, len(label), e.code)
        )
        hit = Hit(e.code, e.level, label, best[1], e.dimension)
        ident = (e.dimension, e.code)
        if ident not in found or key < found[ident][0]:
            found[ident] = (key, hit)
    return [hit for _, hit in sorted(found.values(), key=lambda kv: kv[0])[:limit]]


def names(kind: str, lang: str, wh: Warehouse | None = None) -> dict[str, str]:
    """Code → label in ``lang`` of every product (HS 2, 4, 6 digits, NANDINA 8 digits, product groups) or
    partner (countries, continents) search knows: the labels a result's code columns are named with."""
    if kind not in ("product", "partner"):
        raise ConfigError(f"unknown kind {kind!r}; choose product or partner", field="kind")

    def build() -> dict[str, str]:
        return {e.code: e.label_es if lang == "es" else e.label_en for e in _entries(kind, wh)}

    return wh.memo(("query.search.names", kind, lang, wh.version()), build) if wh else build()


__all__ = ["KINDS", "Hit", "names", "search"]
