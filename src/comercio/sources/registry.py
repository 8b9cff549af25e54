"""Every source comercio knows, as data: how its files are fetched and which reader loads them.

Each :class:`Source` is one publisher's dataset: the files (:class:`Resource`) that make it up (where the
publisher serves each file, and where a mirror, ``COMERCIO_MIRROR``, keeps its copy), the warehouse dataset it
feeds and its :class:`~comercio.sources.protocol.Reader`. This list is the only registry: nothing registers
itself on import, and adding a source is its reader module, one entry here and its test. Keeping the
addresses here, and nowhere else, means a moved publisher page is a one-line fix and the downloader stays
generic.

Mirror convention: ``mirror_path`` is the file's path under the mirror root (``../shared/data`` in tests and
the offline demo). Several resources may share one ``mirror_path`` when the mirror keeps in one file what the
publisher serves in several requests (BCRP's API answers at most ten series per request, the mirror holds all
27 departmental series in one CSV); the downloader then fetches that mirror file once. Readers must therefore
accept either the publisher's pieces or the mirror's single file, and sniff the format rather than trust the
extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from comercio.errors import ConfigError
from comercio.sources import (
    baci,
    bcrp,
    boundaries,
    declarations,
    harmonized,
    infotrade,
    sunat_cuadros,
    sunat_microdata,
)
from comercio.sources.protocol import Reader

BCRP_API = "https://estadisticas.bcrp.gob.pe/estadisticas/series/api"
SUNAT_CUADROS = "https://www.sunat.gob.pe/estadisticasestudios/nota_tributaria"
ADUANET_CONSULTATION = "http://www.aduanet.gob.pe/cl-ad-itconsultadwh/ieITS01Alias"
PERU_GEOJSON = (
    "https://raw.githubusercontent.com/juaneladio/peru-geojson/3213eeb1bbe537f88dead45a2aadaa276fa9451d"
)
HARMONIZED_SYSTEM = (
    "https://raw.githubusercontent.com/datasets/harmonized-system/905e5a0fa29f5700d62cb3cc1265f21bc8a92329"
)
NANDINA_CORPUS = (
    "https://raw.githubusercontent.com/elVladdi/gci-nandina-rag/e4e06f54dddbb9ef4fd7bb063028c0932cc6899e"
)

BCRP_MAX_SERIES_PER_REQUEST = 10


@dataclass(frozen=True)
class Resource:
    """One file of a source.

    key: short identifier, unique within its source (``g1``, ``departments_1``).
    url: the publisher's address for the file.
    mirror_path: the file's path under a mirror root (directory or base URL).
    filename: name of the file in the download cache when fetched from the publisher.
    description: what the file holds, for ``comercio sources`` and error messages.
    optional: fetched only when asked (``include_optional``); absent from the reference mirror.
    """

    key: str
    url: str
    mirror_path: str
    filename: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class Source:
    """A publisher's dataset: its files, the warehouse dataset they feed (``None``: reference data) and the
    reader that loads them (``None``: the files are only kept in the download cache).

    A source without resources is not downloaded: its files are given to ``comercio ingest``. ``build``
    marks the sources ``comercio build`` fetches and ingests, in registry order.
    """

    name: str
    title: str
    publisher: str
    resources: tuple[Resource, ...]
    dataset: str | None
    reader: Reader | None = None
    build: bool = False

    def resource(self, key: str) -> Resource:
        """The resource called ``key``; unknown keys raise :class:`ConfigError` listing the known ones."""
        for res in self.resources:
            if res.key == key:
                return res
        known = ", ".join(r.key for r in self.resources)
        raise ConfigError(f"source {self.name!r} has no resource {key!r}; known: {known}")


def bcrp_series_url(codes: list[str], start: str, end: str, fmt: str = "json") -> str:
    """BCRPData API address: ``api/<code-code-…>/<format>/<start>/<end>`` (monthly periods as ``2005-1``)."""
    if not 1 <= len(codes) <= BCRP_MAX_SERIES_PER_REQUEST:
        raise ConfigError(
            f"BCRPData takes 1 to {BCRP_MAX_SERIES_PER_REQUEST} series a request, got {len(codes)}"
        )
    return f"{BCRP_API}/{'-'.join(codes)}/{fmt}/{start}/{end}"


def _series_range(prefix: str, first: int, last: int, suffix: str) -> list[str]:
    return [f"{prefix}{n}{suffix}" for n in range(first, last + 1)]


def _chunks(codes: list[str], size: int) -> list[list[str]]:
    return [codes[i : i + size] for i in range(0, len(codes), size)]


def _bcrp_resources() -> tuple[Resource, ...]:
    departments = _series_range("RD", 38085, 38111, "BM")  # 24 departments + Callao + No registrado + Total
    mirror_csv = "bcrp/exports_by_department_monthly_2005_2022.csv"
    parts = _chunks(departments, BCRP_MAX_SERIES_PER_REQUEST)
    resources = [
        Resource(
            key=f"departments_{i}",
            url=bcrp_series_url(chunk, "2005-1", "2022-12"),
            mirror_path=mirror_csv,
            filename=f"exports_by_department_{i}.json",
            description=(
                f"Exports FOB by department, US$ millions, monthly, series {chunk[0]}…{chunk[-1]} "
                f"(part {i} of {len(parts)}; the mirror holds all parts in one CSV)"
            ),
        )
        for i, chunk in enumerate(parts, start=1)
    ]
    national = _series_range("PN", 38714, 38723, "BM")
    resources.append(
        Resource(
            key="national_trade",
            url=bcrp_series_url(national, "2005-1", f"{date.today().year}-12"),
            mirror_path="bcrp/national_trade_monthly.json",
            filename="national_trade_monthly.json",
            description="National monthly exports, imports and trade balance, series PN38714BM…PN38723BM",
            optional=True,
        )
    )
    return tuple(resources)


def _sources() -> dict[str, Source]:
    sources = [
        Source(
            name="bcrp",
            title="Exportaciones por departamento (BCRPData)",
            publisher="Banco Central de Reserva del Perú (BCRP)",
            resources=_bcrp_resources(),
            dataset="bcrp_departments",
            reader=bcrp.READER,
            build=True,
        ),
        Source(
            name="sunat-cuadros",
            title="Cuadros de comercio exterior (G1 exportación por sector, F1 importación según CUODE)",
            publisher="Superintendencia Nacional de Aduanas y de Administración Tributaria (SUNAT)",
            resources=(
                Resource(
                    key="g1",
                    url=f"{SUNAT_CUADROS}/cdro_G1.xlsx",
                    mirror_path="sunat/cuadros/cdro_G1.xlsx",
                    filename="cdro_G1.xlsx",
                    description="Cuadro G 1: exportación definitiva según sector económico, US$ FOB, monthly",
                ),
                Resource(
                    key="f1",
                    url=f"{SUNAT_CUADROS}/cdro_F1.xlsx",
                    mirror_path="sunat/cuadros/cdro_F1.xlsx",
                    filename="cdro_F1.xlsx",
                    description="Cuadro F 1: importación para el consumo según CUODE, US$ CIF, monthly",
                ),
            ),
            dataset="sunat_cuadros",
            reader=sunat_cuadros.READER,
            build=True,
        ),
        Source(
            name="sunat-declarations",
            title="Declaraciones de importación (consulta Aduanet), subpartida 4011101000, Callao, mayo 2026",
            publisher="SUNAT, consulta de declaraciones Aduanet",
            resources=(
                Resource(
                    key="imports_4011101000_callao_2026_05",
                    url=f"{ADUANET_CONSULTATION}?accion=consultar&CG_consulta=2",
                    mirror_path="sunat/declarations/imports_4011101000_callao_2026-05.csv",
                    filename="imports_4011101000_callao_2026-05.csv",
                    description=(
                        "Import declaration lines (DUA) for subpartida 4011101000 at customs office 118; the "
                        "publisher serves a query form, not a file, so this resource is meant for the mirror"
                    ),
                ),
            ),
            dataset="customs_lines",
            reader=declarations.READER,
            build=True,
        ),
        Source(
            name="boundaries",
            title="Límites departamentales y provinciales del Perú (GeoJSON simplificado)",
            publisher="INEI / MINAM, via juaneladio/peru-geojson (MPL-2.0)",
            resources=(
                Resource(
                    key="departments",
                    url=f"{PERU_GEOJSON}/peru_departamental_simple.geojson",
                    mirror_path="geo/peru_departamental_simple.geojson",
                    filename="peru_departamental_simple.geojson",
                    description="25 department polygons (NOMBDEP, FIRST_IDDP = 2-digit ubigeo), CRS84",
                ),
                Resource(
                    key="provinces",
                    url=f"{PERU_GEOJSON}/peru_provincial_simple.geojson",
                    mirror_path="geo/peru_provincial_simple.geojson",
                    filename="peru_provincial_simple.geojson",
                    description="Province polygons, CRS84",
                    optional=True,
                ),
            ),
            dataset=None,
            reader=boundaries.READER,
            build=True,
        ),
        Source(
            name="hs2022",
            title="Harmonized System 2022 nomenclature (English)",
            publisher="World Customs Organization via UN Comtrade, packaged by datasets/harmonized-system",
            resources=(
                Resource(
                    key="nomenclature",
                    url=f"{HARMONIZED_SYSTEM}/data/harmonized-system.csv",
                    mirror_path="hs/hs2022_en.csv",
                    filename="harmonized-system.csv",
                    description="HS 2022 chapters, headings and subheadings with section, parent and level",
                ),
            ),
            dataset="ref_hs2022",
            reader=harmonized.READER,
            build=True,
        ),
        Source(
            name="nandina",
            title="NANDINA (Decisión 885) 8-digit codes, Spanish labels",
            publisher="Comunidad Andina, via elVladdi/gci-nandina-rag",
            resources=(
                Resource(
                    key="codes_8digit",
                    url=f"{NANDINA_CORPUS}/data/processed/corpus_rag_v1.jsonl",
                    mirror_path="nandina/nandina_d885_8digit_es.csv",
                    filename="corpus_rag_v1.jsonl",
                    description=(
                        "NANDINA 8-digit codes with leaf labels; the publisher URL is the JSONL corpus the "
                        "mirror's CSV was flattened from (rows with tipo nandina_8)"
                    ),
                    optional=True,
                ),
            ),
            dataset=None,
        ),
        Source(
            name="infotrade",
            title="Exportaciones por empresa y producto (Infotrade)",
            publisher="PROMPERÚ, Infotrade (descarga con usuario)",
            resources=(),
            dataset="infotrade",
            reader=infotrade.READER,
        ),
        Source(
            name="sunat-microdata",
            title="Microdatos de exportación e importación (DBF por semana o mes)",
            publisher="SUNAT, estadísticas de comercio exterior (descarga manual)",
            resources=(),
            dataset="customs_lines",
            reader=sunat_microdata.READER,
        ),
        Source(
            name="baci",
            title="BACI: comercio mundial por producto HS6",
            publisher="CEPII (descarga con registro)",
            resources=(),
            dataset="world_trade",
            reader=baci.READER,
        ),
    ]
    return {s.name: s for s in sources}


SOURCES: dict[str, Source] = _sources()


def get_source(name: str) -> Source:
    """The source called ``name``; an unknown name raises :class:`ConfigError` listing the known ones."""
    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise ConfigError(
            f"unknown source {name!r}; known sources: {known}", hint="see `comercio fetch --help`"
        ) from None


BUILD_SOURCES: tuple[str, ...] = tuple(s.name for s in SOURCES.values() if s.build)
"""What `comercio build` fetches and ingests, in order."""

__all__ = ["BUILD_SOURCES", "SOURCES", "Resource", "Source", "bcrp_series_url", "get_source"]
