"""Ingest CEPII BACI release zips into the ``world_trade`` dataset (registered as source ``baci``).

One release zip is one slice (``BACI_HS17_V202501``, the zip's stem without ``_SYNTH``… kept as is): loading
the same zip again is a no-op, a new release of the same revision becomes a new vintage of its own slice.
Rows stream from :func:`comercio.sources.baci.iter_baci` straight into the atomic loader (bounded memory).
A zip marked synthetic (``SYNTHETIC.txt`` member or ``_SYNTH`` in its name) gives a synthetic vintage, so
every report built on it says so. Importing this module registers the ingester in
:data:`comercio.ingest.EXTRA_INGESTERS`.
"""

from __future__ import annotations

from pathlib import Path

from comercio.errors import ConfigError
from comercio.ingest import EXTRA_INGESTERS, PARSER_VERSION, IngestReport, skip_unchanged
from comercio.warehouse import Provenance, Warehouse, file_ref

SOURCE = "baci"
DATASET = "world_trade"


def ingest_baci(wh: Warehouse, paths: list[Path]) -> IngestReport:
    """Load each BACI zip in ``paths`` as one vintage of ``world_trade`` (slice = the zip's stem)."""
    from comercio.sources.baci import iter_baci, open_release

    if not paths:
        raise ConfigError(
            "the baci source needs the path of a release zip (BACI_HSxx_Vyyyymm.zip)",
            field="paths",
            hint="download it from CEPII or run `comercio synth baci`",
        )
    report = IngestReport(SOURCE)
    for path in paths:
        release = open_release(path)
        prov = Provenance(
            SOURCE,
            (file_ref(Path(path)),),
            f"{SOURCE}/{PARSER_VERSION}",
            synthetic=release.synthetic,
            extra={"hs_version": release.hs_version, "years": sorted(release.years)},
        )
        slice_ = Path(path).stem
        same = skip_unchanged(wh, DATASET, slice_, prov)
        if same is not None:
            report.results.append(same)
            continue
        report.results.append(wh.load(DATASET, slice_, iter_baci(path), prov))
        if release.synthetic:
            report.notes.append(
                f"{Path(path).name}: datos sintéticos / synthetic data (marked in the vintage)"
            )
    return report


EXTRA_INGESTERS[SOURCE] = ingest_baci

__all__ = ["ingest_baci"]
