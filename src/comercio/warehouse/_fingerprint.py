"""The fingerprint of the columns a dataset is stored with: recorded with each vintage (an older schema is
reloaded) and named by each vintage's aggregates (an older one is ignored)."""

from __future__ import annotations

import hashlib

from comercio.warehouse import schema


def schema_fingerprint(dataset: str) -> str | None:
    """A short hash of the columns (names and types) ``dataset`` is stored with today (None: a dataset
    without a declared schema). A vintage records it, so one written with other columns is reloaded."""
    spec = schema.DATASETS.get(dataset)
    if spec is None:
        return None
    text = ";".join(f"{f.name}:{f.type}" for f in spec.schema)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
