"""UN Comtrade (final annual HS data) → ``world_trade`` rows, over the official ``comtradeapicall`` package.

A thin client: the package is imported lazily (``pip install comercio[world]``), every call goes through one
injectable function (``_call``, by default ``comtradeapicall.getFinalData``) so the retry, cache and
empty-answer logic runs in tests without a network.

- **Key**: read from the environment variable ``key_env`` (default ``COMTRADE_API_KEY``); missing →
  :class:`ConfigError` naming the variable.
- **Chunks**: one request per (reporter, flow, year). Each non-empty answer is cached as Parquet under
  ``cache_dir`` keyed by a hash of its parameters, so an interrupted run resumes where it stopped; empty
  answers are *not* cached (the reporter may submit later).
- **Rate limits**: at least ``min_interval`` seconds between requests; a failed request
  (``comtradeapicall`` prints HTTP errors such as 429 and returns ``None``; network failures raise) is
  retried with exponential backoff ``base_delay · 2^attempt`` (capped at 60 s) up to ``max_retries`` times,
  then :class:`DownloadError`.
- **Codes**: 6-digit ``hs_codes`` are requested as such; shorter prefixes (chapter ``73``) request every HS6
  line (``AG6``) and keep those under the prefixes, because ``world_trade`` is an HS6 dataset.
- **Empty answers**: a chunk with no rows is explained ("Comtrade returned no rows for reporter 604, flow X,
  2024, HS 73: …") in :attr:`ComtradeResult.empty`; if *every* chunk is empty, :class:`SourceError` is raised
  with those explanations instead of returning an empty table.
- **Mapping**: exports (``X``): exporter = reporter, importer = partner; imports (``M``): the reverse.
  ``primaryValue`` (US$) → ``value_usd``; ``netWgt`` (kg) → ``quantity_t`` (tonnes); ``classificationCode``
  ``H0``…``H6`` → ``HS92``…``HS22``. Rows with partner World (code 0 / ``W00``) are totals, not flows: they
  are counted in :attr:`ComtradeResult.world_rows` and kept out of the table.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from comercio.errors import ConfigError, DownloadError, ParseError, SourceError
from comercio.warehouse.schema import WORLD_TRADE

_HS_VERSIONS = {
    "H0": "HS92",
    "H1": "HS96",
    "H2": "HS02",
    "H3": "HS07",
    "H4": "HS12",
    "H5": "HS17",
    "H6": "HS22",
}
_NEEDED = ("refYear", "reporterISO", "partnerCode", "partnerISO", "flowCode", "cmdCode", "classificationCode",
           "primaryValue", "netWgt")  # fmt: skip
MAX_RECORDS = 250_000  # the API's cap per request


@dataclass(frozen=True)
class ComtradeResult:
    """The ``world_trade`` table plus what the client did: chunks cached/fetched, empty chunks explained."""

    table: pa.Table
    fetched: int
    cached: int
    empty: tuple[str, ...]
    world_rows: int


def _default_call() -> Callable[..., pd.DataFrame | None]:
    try:
        import comtradeapicall
    except ImportError as exc:
        raise SourceError(
            "the UN Comtrade client package 'comtradeapicall' is not installed",
            hint="install comercio[world]",
        ) from exc
    call: Callable[..., pd.DataFrame | None] = comtradeapicall.getFinalData
    return call


def _params(reporter: str, flow: str, year: int, codes: Sequence[str]) -> dict[str, Any]:
    cmd = ",".join(codes) if all(len(c) == 6 for c in codes) else "AG6"
    return {
        "typeCode": "C",
        "freqCode": "A",
        "clCode": "HS",
        "period": str(year),
        "reporterCode": reporter,
        "cmdCode": cmd,
        "flowCode": flow,
        "partnerCode": None,
        "partner2Code": "0",
        "customsCode": "C00",
        "motCode": "0",
        "maxRecords": MAX_RECORDS,
        "format_output": "JSON",
        "breakdownMode": "classic",
        "includeDesc": False,
    }


def _cache_path(cache_dir: Path, params: Mapping[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:20]
    return cache_dir / f"comtrade-{digest}.parquet"


def _request(
    call: Callable[..., pd.DataFrame | None],
    key: str,
    params: Mapping[str, Any],
    *,
    max_retries: int,
    base_delay: float,
    sleep: Callable[[float], Any],
    where: str,
) -> pd.DataFrame:
    last = "no answer"
    for attempt in range(max_retries + 1):
        if attempt:
            sleep(min(base_delay * 2 ** (attempt - 1), 60.0))
        try:
            df = call(key, **params)
        except (Exception, SystemExit) as exc:  # comtradeapicall raises SystemExit on network errors
            last = f"{type(exc).__name__}: {exc}"
            continue
        if df is None:
            last = (
                "the API answered with an error (HTTP 429 rate limit or other; comtradeapicall returned None)"
            )
            continue
        return df
    raise DownloadError(f"UN Comtrade request failed after {max_retries + 1} attempts ({last})", url=where)


def _to_world_trade(df: pd.DataFrame, prefixes: Sequence[str], source: str) -> tuple[pa.Table, int]:
    missing = [c for c in _NEEDED if c not in df.columns]
    if missing:
        raise ParseError(f"Comtrade answer lacks columns {missing}", file=source)
    df = df[list(_NEEDED)]
    cmd = df["cmdCode"].astype(str)
    df = df[cmd.str.len().eq(6) & cmd.str.startswith(tuple(prefixes))]
    world = df["partnerCode"].astype(str).isin(["0", "0.0"]) | df["partnerISO"].eq("W00")
    df = df[~world]
    for col in ("reporterISO", "partnerISO"):
        if df[col].isna().any():
            row = int(df[col].isna().to_numpy().argmax())
            raise ParseError("no ISO code", file=source, record=row, field=col)
    versions = df["classificationCode"].map(_HS_VERSIONS)
    if versions.isna().any():
        bad = df["classificationCode"][versions.isna()].iloc[0]
        raise ParseError(f"unknown classification {bad!r}", file=source, field="classificationCode")
    exports = df["flowCode"].eq("X")
    out = pd.DataFrame(
        {
            "year": df["refYear"].astype("int32"),
            "exporter": df["reporterISO"].where(exports, df["partnerISO"]),
            "importer": df["partnerISO"].where(exports, df["reporterISO"]),
            "hs6": df["cmdCode"].astype(str),
            "hs_version": versions,
            "value_usd": pd.to_numeric(df["primaryValue"]).astype("float64"),
            "quantity_t": pd.to_numeric(df["netWgt"]).astype("float64") / 1000.0,
            "synthetic": False,
            "source": source,
        }
    )
    table = pa.Table.from_pandas(out, preserve_index=False)
    return WORLD_TRADE.conform(table, file=source), int(world.sum())


def fetch_comtrade(
    reporter: str | int,
    flow: str,
    years: Iterable[int],
    hs_codes: Sequence[str],
    *,
    key_env: str = "COMTRADE_API_KEY",
    cache_dir: str | Path,
    max_retries: int = 5,
    base_delay: float = 2.0,
    min_interval: float = 1.0,
    sleep: Callable[[float], Any] = time.sleep,
    _call: Callable[..., pd.DataFrame | None] | None = None,
    env: Mapping[str, str] | None = None,
) -> ComtradeResult:
    """Fetch final annual HS data for one reporter (M49 code) and flow (``X``/``M``) over ``years``."""
    flow = flow.upper()
    if flow not in ("X", "M"):
        raise ConfigError(f"flow must be 'X' (exports) or 'M' (imports), got {flow!r}", field="flow")
    prefixes = [str(c) for c in hs_codes]
    if not prefixes or not all(c.isdigit() and 2 <= len(c) <= 6 for c in prefixes):
        raise ConfigError(f"hs_codes must be 2–6 digit HS prefixes, got {prefixes!r}", field="hs_codes")
    key = (os.environ if env is None else env).get(key_env, "")
    if not key:
        raise ConfigError(
            f"no UN Comtrade API key: set the environment variable {key_env}",
            field=key_env,
            hint="get a free key at comtradedeveloper.un.org",
        )
    call = _call if _call is not None else _default_call()
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    tables: list[pa.Table] = []
    empty: list[str] = []
    fetched = cached = world_rows = 0
    last_call: float | None = None
    for year in sorted(set(years)):
        params = _params(str(reporter), flow, year, prefixes)
        path = _cache_path(cache, params)
        where = f"comtrade reporter={reporter} flow={flow} period={year} cmdCode={params['cmdCode']}"
        if path.exists():
            df = pq.read_table(path).to_pandas()
            cached += 1
        else:
            if last_call is not None:
                sleep(min_interval)
            df = _request(
                call, key, params, max_retries=max_retries, base_delay=base_delay, sleep=sleep, where=where
            )
            last_call = time.monotonic()
            fetched += 1
            if len(df) >= MAX_RECORDS:
                raise SourceError(
                    f"answer truncated at the API cap of {MAX_RECORDS} rows",
                    url=where,
                    hint="ask for fewer codes",
                )
            if len(df):
                keep = [c for c in _NEEDED if c in df.columns]
                tmp = path.with_suffix(".part")
                pq.write_table(pa.Table.from_pandas(df[keep], preserve_index=False), tmp)
                tmp.replace(path)
        table, n_world = (
            _to_world_trade(df, prefixes, where) if len(df) else (WORLD_TRADE.schema.empty_table(), 0)
        )
        world_rows += n_world
        if table.num_rows == 0:
            empty.append(
                f"Comtrade returned no rows for reporter {reporter}, flow {flow}, {year}, "
                f"HS {', '.join(prefixes)}: "
                "the reporter may not have submitted that year yet, or traded none of these products"
            )
        tables.append(table)
    result = pa.concat_tables(tables) if tables else WORLD_TRADE.schema.empty_table()
    if result.num_rows == 0:
        raise SourceError(
            " | ".join(empty), hint="check the reporter's data availability on comtradeplus.un.org"
        )
    return ComtradeResult(result, fetched, cached, tuple(empty), world_rows)
