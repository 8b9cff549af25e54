"""Readers of the publishers' files, the downloader and the registry of sources.

The public contract is this facade: the registry (:data:`SOURCES`, :class:`Source`), the reader protocol
(:class:`Reader`, :class:`ReadResult`…), the downloader (:func:`fetch`, :func:`cached`) and each reader's
entry point. Private ``_modules`` may change freely; other packages import from here. Each name loads its
module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comercio._lazy import attach

if TYPE_CHECKING:
    from comercio.sources._country_names import country_code
    from comercio.sources._dbf import DbfField
    from comercio.sources._departments import normalize_label, resolve_department
    from comercio.sources._hs_concordance import convert_basket_prefixes
    from comercio.sources._microdata_build import Parsed, build_batch, const
    from comercio.sources.baci import ExclusionReport, iter_baci, open_release, write_baci_partitioned
    from comercio.sources.bcrp import BcrpResult, parse_bcrp_national, read_bcrp
    from comercio.sources.declarations import read_declarations
    from comercio.sources.download import FetchedFile, HttpOptions, cached, fetch, fetch_resource
    from comercio.sources.infotrade import read_infotrade
    from comercio.sources.protocol import Check, Part, Reader, ReadOptions, ReadResult, Target
    from comercio.sources.registry import BUILD_SOURCES, SOURCES, Resource, Source, get_source
    from comercio.sources.sunat_cuadros import CuadroResult, iter_sheets, read_cuadro, table_from_name
    from comercio.sources.sunat_microdata import iter_microdata, read_microdata

__getattr__, __dir__ = attach(
    __name__,
    {
        "_country_names": ("country_code",),
        "_dbf": ("DbfField",),
        "_departments": ("normalize_label", "resolve_department"),
        "_hs_concordance": ("convert_basket_prefixes",),
        "_microdata_build": ("Parsed", "build_batch", "const"),
        "baci": ("ExclusionReport", "iter_baci", "open_release", "write_baci_partitioned"),
        "bcrp": ("BcrpResult", "parse_bcrp_national", "read_bcrp"),
        "declarations": ("read_declarations",),
        "download": ("FetchedFile", "HttpOptions", "cached", "fetch", "fetch_resource"),
        "infotrade": ("read_infotrade",),
        "protocol": ("Check", "Part", "ReadOptions", "ReadResult", "Reader", "Target"),
        "registry": ("BUILD_SOURCES", "SOURCES", "Resource", "Source", "get_source"),
        "sunat_cuadros": ("CuadroResult", "iter_sheets", "read_cuadro", "table_from_name"),
        "sunat_microdata": ("iter_microdata", "read_microdata"),
    },
)

__all__ = [
    "BUILD_SOURCES",
    "SOURCES",
    "BcrpResult",
    "Check",
    "CuadroResult",
    "DbfField",
    "ExclusionReport",
    "FetchedFile",
    "HttpOptions",
    "Parsed",
    "Part",
    "ReadOptions",
    "ReadResult",
    "Reader",
    "Resource",
    "Source",
    "Target",
    "build_batch",
    "cached",
    "const",
    "convert_basket_prefixes",
    "country_code",
    "fetch",
    "fetch_resource",
    "get_source",
    "iter_baci",
    "iter_microdata",
    "iter_sheets",
    "normalize_label",
    "open_release",
    "parse_bcrp_national",
    "read_bcrp",
    "read_cuadro",
    "read_declarations",
    "read_infotrade",
    "read_microdata",
    "resolve_department",
    "table_from_name",
    "write_baci_partitioned",
]
