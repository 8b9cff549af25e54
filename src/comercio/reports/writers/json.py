"""JSON writer: ``report.json`` = report metadata plus ``"facts"`` (exactly ``FactSet.as_list()``)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from comercio.reports.writers._model import Report


def report_dict(report: Report) -> dict[str, Any]:
    """Metadata, the narrative by section, the tables' raw rows and every fact."""
    return {
        "kind": report.kind,
        "lang": report.lang,
        "title": report.title,
        "subtitle": report.subtitle,
        "source": report.source,
        "synthetic": report.synthetic,
        **dict(report.meta),
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "omitted": s.omitted,
                "paragraphs": list(s.paragraphs),
                "tables": [t.id for t in s.tables],
                "figures": [f.id for f in s.figures],
            }
            for s in report.sections
        ],
        "tables": {
            t.id: {
                "title": t.title,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in t.columns],
                "rows": [dict(r) for r in t.rows],
            }
            for t in report.tables()
        },
        "facts": report.facts.as_list(),
    }


def _clean(x: Any) -> Any:
    """NaN and infinities become null (strict JSON has no NaN)."""
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    return x


def write(report: Report, out: Path) -> Path:
    path = Path(out) / f"{report.stem}.json"
    text = json.dumps(_clean(report_dict(report)), ensure_ascii=False, indent=2, default=str, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path
