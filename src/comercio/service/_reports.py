"""The report directory as the dashboard lists it: one entry per report, its title, language and formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMAT_ORDER = ("pdf", "html", "xlsx", "md", "json", "csv", "png", "svg")


def _meta(path: Path) -> dict[str, Any]:
    """Title, subtitle and language from a report's ``report.json`` (empty when absent or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def reports(root: Path, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``files`` (paths relative to ``root``) grouped by directory: title, subtitle, lang and files.

    Each file is ``{"format", "path", "bytes"}``, in :data:`FORMAT_ORDER`; a directory without
    ``report.json`` is listed under its own name.
    """
    by_dir: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        parent = f["path"].rpartition("/")[0]
        fmt = f["path"].rpartition(".")[2].lower()
        by_dir.setdefault(parent, []).append({"format": fmt, **f})
    out = []
    for folder, items in sorted(by_dir.items()):
        json_file = next((i for i in items if i["path"].endswith("report.json")), None)
        meta = _meta(root / json_file["path"]) if json_file else {}
        items.sort(
            key=lambda i: (FORMAT_ORDER.index(i["format"]) if i["format"] in FORMAT_ORDER else 99, i["path"])
        )
        out.append(
            {
                "folder": folder,
                "title": str(meta.get("title") or folder or root.name),
                "subtitle": str(meta.get("subtitle") or ""),
                "lang": str(meta.get("lang") or ""),
                "files": items,
            }
        )
    return out
