"""The whole check of one text: read it into claims, compute each one, and collect the report."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from datetime import date

from comercio.check._reasons import say
from comercio.check.claims import read
from comercio.check.model import CheckReport, Claim, Skipped
from comercio.check.verify import Checker
from comercio.errors import ConfigError
from comercio.warehouse import Warehouse

LANGS = ("es", "en")


def published_date(value: str | date | None) -> date | None:
    """``YYYY-MM-DD`` (or a date) as a date; a clear error naming the field otherwise."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(
            f"not a publication date: {value!r}", field="published", hint="use YYYY-MM-DD, e.g. 2026-01-26"
        ) from None


def check_text(
    wh: Warehouse,
    text: str,
    *,
    lang: str = "es",
    published: str | date | None = None,
    source: str = "-",
    engine: str | None = None,
) -> CheckReport:
    """Every number of ``text`` as a checked claim or a skipped number with its reason."""
    if lang not in LANGS:
        raise ConfigError(f"unsupported language {lang!r}; use es or en", field="lang")
    day = published_date(published)
    started = time.perf_counter()
    readings = read(text, lang, day)
    checker = Checker(wh, lang, engine)
    claims: list[Claim] = []
    skipped: list[Skipped] = []
    for r in readings:
        if r.period:
            skipped.append(Skipped(r.number, "period", say(lang, r.why)))
        elif r.unsupported:
            reason = say(lang, r.why)
            claims.append(Claim(r.number, r.subject, r.measure, r.window, "not_checkable", reason=reason))
        elif r.why:
            skipped.append(Skipped(r.number, "not_understood", say(lang, r.why)))
        else:
            claims.append(_finite(checker.check(r)))
    datasets = {name: sorted(v) for name, v in sorted(checker.used.items())}
    return CheckReport(
        text,
        lang,
        None if day is None else day.isoformat(),
        tuple(claims),
        tuple(skipped),
        source=source,
        seconds=time.perf_counter() - started,
        datasets=datasets,
    )


def _finite(c: Claim) -> Claim:
    """A computed value that is not a finite number is no value (JSON has no NaN)."""
    if c.computed is not None and not math.isfinite(c.computed):
        return replace(c, computed=None, verdict="not_checkable", reason="the data give no finite value")
    return c
