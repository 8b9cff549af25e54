"""Validate one block of SUNAT microdata records and build the ``customs_lines`` record batch.

Kept apart from :mod:`comercio.sources.sunat_microdata` (file handling, streaming, quarantine) so each
module stays small. Every check is vectorised; only the (rare) bad rows are visited one by one to name
the record, the field and the offending value.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from comercio.sources import _dbf
from comercio.sources import _microdata_codes as codes
from comercio.sources._microdata_codes import const
from comercio.sources._microdata_ref import FileSpan, hs_version_index, offices, tariff_versions
from comercio.sources._span import EARLIEST, MAX_LINE_USD
from comercio.warehouse.schema import CUSTOMS_LINES

Error = tuple[int, str, str, float | None]  # record, field, reason, value (FOB) if readable
_MONEY = frozenset({"fob", "freight", "insurance"})
SHIPMENT_DAYS = 366  # an export is shipped within a year of its declaration's numbering, before or after
_NO_SPAN = FileSpan(np.iinfo(np.int32).min, np.iinfo(np.int32).max, "")


@dataclass
class Parsed:
    """Decoded columns of the good rows of one block, and what was wrong with the others.

    ``bad`` rows were refused; ``bad_value`` is their readable FOB (finite and plausible values only),
    ``reasons`` counts them by field and reason, ``errors`` details the first few (record, field, reason
    with the offending value, FOB), so that a file of garbage costs bounded time and memory.
    """

    n: int
    num: dict[str, np.ndarray] = field(default_factory=dict)
    txt: dict[str, pa.Array] = field(default_factory=dict)
    errors: list[Error] = field(default_factory=list)
    seen: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64))
    bad: int = 0
    bad_value: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)


def _digit_count(t: np.ndarray) -> np.ndarray:
    return np.asarray(((t - np.uint8(48)) < 10).sum(axis=0, dtype=np.int16))


def validate_block(
    block: np.ndarray,
    recnos: np.ndarray,
    fields: dict[str, _dbf.DbfField],
    flow: str,
    seen: np.ndarray,
    file: str,
    *,
    span: FileSpan = _NO_SPAN,
    marker: str | None = None,
    details: int = 1,
) -> Parsed:
    """Decode and check every role column of ``block`` (live records only).

    ``span``: the days the lines may carry; ``marker``: the synthetic marker every line must repeat (the
    first line's); ``details``: how many bad rows to describe one by one (the rest are counted).
    """
    n = block.shape[0]
    p = Parsed(n=n)
    checks: list[tuple[str, str, np.ndarray]] = []  # (field, reason, bad mask), in reporting priority
    if "name" in fields:  # only its first bytes are read, folded: any byte is fine there
        who = fields["name"]
        fields = {**fields, "name": replace(who, length=min(who.length, codes.NAME_PREFIX))}
    cols, tcols, controls = _dbf.gather(block, fields, "name")  # NUL padding read as spaces
    for role, t in tcols.items() if controls else ():  # only the fields read: a wide record costs no more
        if role != "name" and _dbf.has_controls(t):
            text = "undecodable bytes: not latin-1 text"
            checks.append((fields[role].name, text, _dbf.undecodable(t)))

    days, ok, _ = _dbf.dates(tcols["date"])
    checks.append((fields["date"].name, "invalid or missing date (YYYYMMDD)", ~ok))
    checks.append(
        (fields["date"].name, f"date {span.text}", ok & ((days < span.first_day) | (days > span.last_day)))
    )
    p.num["date"] = days
    if "shipped" in cols:  # the shipment date (exports): blank, or a real day within a year of numbering
        shipped, ok, blank = _dbf.dates(tcols["shipped"])
        lo = np.datetime64(EARLIEST, "D").astype(np.int64)
        far = np.abs(shipped.astype(np.int64) - days) > SHIPMENT_DAYS
        text = f"shipment date invalid, before {EARLIEST} or more than a year from the declaration's date"
        checks.append((fields["shipped"].name, text, ~blank & (~ok | (shipped < lo) | far)))
    # code fields stored as numbers (N) lose their leading zeros, as characters (C) keep them: either way
    # the digits are read as a number, zero-padded to the code's width and then validated
    office, ok = _dbf.digits_int(tcols["office"])
    text = "customs office code is not digits or longer than 3 digits"
    checks.append((fields["office"].name, text, ~ok | (office >= 1000)))
    known = offices().valid(office, days.astype(np.int64))
    checks.append((fields["office"].name, "unknown customs office", ok & (office < 1000) & ~known))
    year, ok = _dbf.digits_int(tcols["year"])
    text = "invalid declaration year (4 digits, 1900-2199)"
    checks.append((fields["year"].name, text, ~ok | (year < 1900) | (year > 2199)))
    number, ok = _dbf.digits_int(tcols["number"])
    text = "invalid declaration number (not digits or longer than 8 digits)"
    checks.append((fields["number"].name, text, ~ok | (number >= 10**8)))
    series, ok = _dbf.digits_int(tcols["series"])
    text = "invalid series number (not digits, 0 or longer than 5 digits)"
    checks.append((fields["series"].name, text, ~ok | (series < 1) | (series >= 10**5)))
    p.num.update(office=office, year=year, number=number, series=series)

    prod, ok = _dbf.digits_int(tcols["product"])
    nd = _digit_count(tcols["product"])
    # a numeric field drops the leading zero of chapters 01-09: 9 digits is then a valid 10-digit code
    width_ok = (nd == 10) | ((nd == 9) & (fields["product"].type in "NF"))
    chapter = prod // 10**8
    checks.append(
        (
            fields["product"].name,
            "invalid subpartida (not 10 digits)",
            ~ok | ~width_ok | (chapter < 1) | (chapter > 97),
        )
    )
    p.num["product"] = prod

    if "ubigeo" in cols:  # numeric storage: 10101 is 010101; blank or all zeros names no place
        ub, ok = _dbf.digits_int(tcols["ubigeo"])
        blank = _dbf.blank_rows(tcols["ubigeo"]) | (ok & (ub == 0))
        dept = ub // 10**4
        bad = ~blank & (~ok | (ub >= 10**6) | (dept < 1) | (dept > 25))
        text = "invalid ubigeo (not digits, longer than 6 digits or department not 01-25)"
        checks.append((fields["ubigeo"].name, text, bad))
        p.num["dept"] = np.where(blank, 99, dept)
        p.num["unattributed"] = blank
    else:
        p.num["dept"] = np.full(n, 99, dtype=np.int64)
        p.num["unattributed"] = np.ones(n, dtype=bool)

    for role in ("fob", "freight", "insurance", "net_kg", "quantity"):
        if role not in cols:
            continue
        values, ok, blank = _dbf.numeric(tcols[role], fields[role].decimals)
        name = fields[role].name
        if role == "fob":
            checks.append((name, "missing value", blank))
        checks.append((name, "not a number", ~ok & ~blank))
        finite = np.isfinite(values)
        checks.append((name, "not a finite number", ok & ~finite))
        checks.append((name, "negative value", ok & finite & (values < 0)))
        if role in _MONEY:
            checks.append(
                (name, f"implausible amount (over US$ {MAX_LINE_USD:,.0f})", ok & (values > MAX_LINE_USD))
            )
        p.num[role] = np.where(blank, np.nan, values)

    for role in ("partner", "acquisition", "mode", "trader", "unit", "synth"):
        if role in cols:
            p.txt[role] = _dbf.text(cols[role], tcols[role])
    for role in ("partner", "acquisition"):
        if role in p.txt:
            bad = codes.country_bad(tcols[role], p.txt[role])
            checks.append((fields[role].name, "country is not ISO 3166 alpha-2", bad))
    if "name" in cols:
        p.num["masked"] = codes.masked_names(cols["name"])
    if marker is not None and "synth" in p.txt:
        bad = pc.not_equal(p.txt["synth"], marker).to_numpy(False)
        checks.append(
            (fields["synth"].name, f"synthetic marker differs from the first line's {marker!r}", bad)
        )
    if "mode" in p.txt:
        p.txt["mode"], bad = codes.last_digit(tcols["mode"], p.txt["mode"])
        checks.append((fields["mode"].name, "transport mode is not a digit", bad))

    bad_any = np.zeros(n, dtype=bool)
    for _, _, mask in checks:
        bad_any |= mask
    # duplicated declaration line: same office, year, number and series as an earlier good line
    key = (
        (office.astype(np.uint64) * np.uint64(300) + (year - 1900).clip(0, 299).astype(np.uint64))
        * np.uint64(10**13)
        + number.clip(0, 10**8 - 1).astype(np.uint64) * np.uint64(10**5)
        + series.clip(0, 10**5 - 1).astype(np.uint64)
    )
    cand = np.flatnonzero(~bad_any)
    order = cand[np.argsort(key[cand], kind="stable")]
    ks = key[order]
    dup = np.zeros(n, dtype=bool)
    if ks.size:
        dup[order[1:][ks[1:] == ks[:-1]]] = True
        pos = np.searchsorted(seen, ks).clip(0, max(seen.size - 1, 0))
        if seen.size:
            dup[order[seen[pos] == ks]] = True
    checks.append((fields["series"].name, "duplicated declaration line (declaration + series)", dup))
    bad_any |= dup
    good = ~bad_any
    p.seen = np.sort(np.concatenate([seen, key[good]]), kind="stable")

    _describe(p, checks, bad_any, cols, fields, recnos, details)

    if not good.all():
        p.num = {k: v[good] for k, v in p.num.items()}
        mask = pa.array(good)
        p.txt = {k: v.filter(mask) for k, v in p.txt.items()}
        p.n = int(good.sum())
    return p


def _describe(
    p: Parsed,
    checks: list[tuple[str, str, np.ndarray]],
    bad_any: np.ndarray,
    cols: dict[str, np.ndarray],
    fields: dict[str, _dbf.DbfField],
    recnos: np.ndarray,
    details: int,
) -> None:
    """Count the bad rows by their first failing check (vectorised); describe only the first ``details``."""
    idx = np.flatnonzero(bad_any)
    p.bad = int(idx.size)
    if not p.bad:
        return
    first = np.stack([m[idx] for _, _, m in checks]).argmax(axis=0)
    for k, count in enumerate(np.bincount(first, minlength=len(checks))):
        if count:
            p.reasons[f"{checks[k][0]}: {checks[k][1]}"] += int(count)
    fob = p.num.get("fob", np.full(bad_any.shape[0], np.nan))[idx]
    plausible = np.isfinite(fob) & (np.abs(fob) <= MAX_LINE_USD)
    p.bad_value = float(np.where(plausible, fob, 0.0).sum())
    roles = {f.name: r for r, f in fields.items()}
    for j in range(min(details, p.bad)):
        fname, reason, _ = checks[int(first[j])]
        raw = bytes(cols[roles[fname]][idx[j]]).decode("latin-1").strip()
        value = float(fob[j]) if plausible[j] else None
        p.errors.append((int(recnos[idx[j]]), fname, f"{reason} (value {raw!r})", value))


def build_batch(p: Parsed, flow: str, source: str, *, file_date: dt.date | None = None) -> pa.RecordBatch:
    """Assemble the canonical ``customs_lines`` batch from the decoded good rows.

    ``file_date``: the last day of the file's period (from its name); ``num["masked"]`` (bool), when the
    file has a name field, says which lines' trader SUNAT masked.
    """
    n = p.n
    num, txt = p.num, p.txt
    days = num["date"].astype(np.int32)
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype(np.int32)
    _, labels = tariff_versions()
    vidx = hs_version_index(days)
    hs_version = pc.take(pa.array(labels, pa.string()), pa.array(vidx, mask=vidx < 0))
    product = codes.digit_bytes(num["product"], 10)  # validated: under 10**10
    basis = pc.take(
        pa.array(["producer_ubigeo", "unattributed"]), pa.array(num["unattributed"].astype(np.int8))
    )
    fob = np.round(num["fob"], 2)
    nulls = pa.nulls(n, pa.float64())
    if flow == "M":
        freight = np.round(np.nan_to_num(num.get("freight", np.zeros(n)), nan=0.0), 2)
        insurance = np.round(np.nan_to_num(num.get("insurance", np.zeros(n)), nan=0.0), 2)
        cif = np.round(fob + freight + insurance, 2)
        value, value_basis = cif, "CIF"
        freight_a, insurance_a, cif_a = pa.array(freight), pa.array(insurance), pa.array(cif)
    else:
        value, value_basis = fob, "FOB"
        freight_a = insurance_a = cif_a = nulls

    def opt_float(role: str) -> pa.Array:
        return pa.array(num[role], from_pandas=True) if role in num else nulls

    def opt_text(role: str) -> pa.Array:
        if role not in txt:
            return pa.nulls(n, pa.string())
        s = txt[role]
        return pc.if_else(pc.equal(s, ""), pa.scalar(None, pa.string()), s)

    synthetic = (
        pc.is_in(txt["synth"], pa.array(["S", "1", "T", "Y"]))
        if "synth" in txt
        else pa.array(np.zeros(n, bool))
    )
    columns = {
        "flow": const(flow, n),
        "date": pa.array(days, pa.int32()).view(pa.date32()),
        "period": pa.array(months, pa.int32()).view(pa.date32()),
        "declaration": codes.declaration(num["office"], num["year"], num["number"]),
        "series": pa.array(num["series"].astype(np.int32)),
        "customs_office": codes.zfill(num["office"], 3),
        "department": codes.zfill(num["dept"], 2),
        "region_basis": basis,
        "partner": opt_text("partner"),
        "product": codes.strings(product),
        "hs6": codes.strings(product[:, :6]),
        "hs_version": hs_version,
        "transport_mode": opt_text("mode"),
        "trader_id": opt_text("trader"),
        "trader_masked": pa.array(num["masked"], pa.bool_()) if "masked" in num else pa.nulls(n, pa.bool_()),
        "value_usd": pa.array(value),
        "value_basis": const(value_basis, n),
        "fob_usd": pa.array(fob),
        "freight_usd": freight_a,
        "insurance_usd": insurance_a,
        "cif_usd": cif_a,
        "net_kg": opt_float("net_kg"),
        "quantity": opt_float("quantity"),
        "unit": opt_text("unit"),
        "acquisition_country": opt_text("acquisition"),
        "file_date": pa.nulls(n, pa.date32()) if file_date is None else pa.repeat(pa.scalar(file_date), n),
        "synthetic": synthetic,
        "source": const(source, n),
    }
    return pa.RecordBatch.from_arrays(
        [columns[c] for c in CUSTOMS_LINES.columns], schema=CUSTOMS_LINES.schema
    )
