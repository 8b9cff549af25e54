"""Field layouts of the weekly twin's files and the encoding of a chunk of lines into their columns.

Exports (``x<DDddMMYY>.zip``) carry **44** fields, imports (``ma<DDddMMYY>.zip``) **58**, as SUNAT's weekly
files do (SUNAT_LAYOUTS.md §1). The layout page names 36 export fields (§1a): the twin writes those 36, the
synthetic marker ``SYNTH`` and seven fields named ``RESERV1`` … ``RESERV7``, blank placeholders standing for
the export fields the page does not name (their real names and meanings are not known here). §1b names all
58 import fields; to keep 58 with ``SYNTH`` the twin leaves out ``COMM`` (the "commodities" price-band
amount, the least documented: one app's label) and writes ``SYNTH`` in its place.

Code fields are stored as SUNAT stores them: ``CADU``/``CODI_ADUAN``, ``PART_NANDI``, ``UBIGEO``, year,
declaration and series numbers are *numeric* (right-aligned, so chapters 01–09 lose their leading zero and
UBIGEO ``010101`` reads ``10101``); countries are ISO alpha-2 text. Every record carries ``SYNTH = 'S'``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from comercio.synth import _imports as imp
from comercio.synth import _profiles as prof
from comercio.synth._dbfwrite import digits, layout
from comercio.synth._lines import PARTNERS, Chunk


def _spec(text: str) -> list[tuple[str, str, int, int]]:
    """``NAME:TW[.D]`` tokens (e.g. ``FOB_DOLPOL:N14.2``) as ``(name, type, width, decimals)``."""
    out = []
    for token in text.split():
        name, kind = token.split(":")
        width, _, dec = kind[1:].partition(".")
        out.append((name, kind[0], int(width), int(dec or 0)))
    return out


EXPORT_WEEKLY = layout(
    _spec(
        "CADU:N3 FANO:N4 NDCL:N8 NSER:N4 FNUM:D8 FEMB:D8 FREG:D8 REGIMEN:N2 NDOC:C11 DNOMBRE:C60 "
        "DNOMPRO:C60 DDIRPRO:C40 UBIGEO:N6 PART_NANDI:N10 CPAIDES:C2 CPUEDES:C5 CVIATRA:C2 CUNITRA:N1 "
        "CAGE:C4 CALM:C4 CEST:C2 CENTFIN:C3 DMAT:C1 NCON:N4 VFOBSERDOL:N15.2 VPESNET:N17.3 VPESBRU:N17.3 "
        "QUNIFIS:N17.3 TUNIFIS:C3 QUNICOM:N17.3 TUNICOM:C3 DCOM:C40 DMER2:C40 DMER3:C40 DMER4:C40 "
        "DMER5:C40 SYNTH:C1"
    )
    + [(f"RESERV{i}", "C", 1, 0) for i in range(1, 8)]
)
IMPORT_WEEKLY = layout(
    _spec(
        "CODI_ADUAN:N3 ANO_PRESE:N4 NUME_CORRE:N8 FECH_INGSI:D8 TIPO_DOCUM:C1 LIBR_TRIBU:C11 DNOMBRE:C60 "
        "CODI_AGENT:N4 FECH_LLEGA:D8 VIA_TRANSP:C1 EMPR_TRANS:C4 CODI_ALMA:C4 CADU_MANIF:N3 FECH_MANIF:N4 "
        "NUME_MANIF:N6 FECH_RECEP:D8 FECH_CANCE:D8 TIPO_CANCE:C1 BANC_CANCE:C2 CODI_ENFIN:C3 DK:C1 "
        "PAIS_ORIGE:C2 PAIS_ADQUI:C2 PUER_EMBAR:C5 FECH_EMBAR:D8 NUME_SERIE:N4 PART_NANDI:N10 "
        "DESC_COMER:C40 DESC_MATCO:C20 DESC_USOAP:C20 DESC_FOPRE:C20 DESC_OTROS:C20 FOB_DOLPOL:N14.2 "
        "FLE_DOLAR:N14.2 SEG_DOLAR:N14.2 PESO_NETO:N17.3 PESO_BRUTO:N17.3 UNID_FIQTY:N17.3 UNID_FIDES:C3 "
        "QUNICOM:N17.3 TUNICOM:C3 SEST_MERCA:C2 ADV_DOLAR:N14.2 IGV_DOLAR:N14.2 ISC_DOLAR:N14.2 "
        "IPM_DOLAR:N14.2 DES_DOLAR:N14.2 IPA_DOLAR:N14.2 SAD_DOLAR:N14.2 DER_ADUM:N14.2 FMOD:D8 "
        "CANT_BULTO:N8 CLASE:C3 TRAT_PREFE:N1 TIPO_TRAT:C1 CODI_LIBER:N4 IMPR_RELIQ:C1 SYNTH:C1"
    )
)
MASKED_NAME = "No Disponible"
_FIRST = ["ANDINA", "PACIFICO", "INCA", "SOL", "CONDOR", "NORTE", "SUR", "COSTA", "SIERRA", "SELVA",
          "HUASCARAN", "MISTI", "TITICACA", "AMAZONAS", "MOCHICA", "CHAVIN", "NAZCA", "PARACAS", "VICUNA",
          "QUINUAL", "COLCA", "URUBAMBA", "PAITA"]  # fmt: skip
_SECOND = ["EXPORT", "MINERA", "AGRICOLA", "PESQUERA", "TEXTIL", "COMERCIAL", "INDUSTRIAL", "TRADING",
           "FRUTICOLA", "METALES", "ALIMENTOS", "CAFETALERA", "GLOBAL", "INVERSIONES", "IMPORT",
           "DISTRIBUIDORA", "MAQUINARIAS", "QUIMICA", "LOGISTICA"]  # fmt: skip
_SUFFIX = ["S.A.", "S.A.C.", "S.A.A.", "E.I.R.L.", "S.R.L."]
_NAMES = [f"{a} {b} {s} (SINTETICA)" for a in _FIRST for b in _SECOND for s in _SUFFIX]


def _cat(labels: list[str], width: int) -> np.ndarray:
    """Latin-1 byte matrix of labels, to be indexed by codes."""
    return (
        np.array([s.encode("latin-1")[:width].ljust(width) for s in labels], dtype=f"S{width}")
        .view(np.uint8)
        .reshape(len(labels), width)
    )


_NAME_BYTES = _cat([*_NAMES, MASKED_NAME], 60)
_MASKED = len(_NAMES)
_X_DESC = _cat([p.description for p in prof.PRODUCTS], 40)
_X_CODE = np.array([int(p.code) for p in prof.PRODUCTS], dtype=np.int64)
_X_UNIT = _cat(["KG", "U"], 3)
_X_PARTNER = _cat(PARTNERS, 2)
_M_DESC = _cat([p.description for p in imp.IMPORT_PRODUCTS], 40)
_M_CODE = np.array([int(p.code) for p in imp.IMPORT_PRODUCTS], dtype=np.int64)
_M_COUNTRY = _cat(imp.COUNTRIES, 2)
_M_PORT = _cat([f"{c}XXX" for c in imp.COUNTRIES], 5)


def names(trader: np.ndarray, masked: np.ndarray) -> np.ndarray:
    """Company names (deterministic in the trader id), or ``No Disponible`` where masked."""
    return _NAME_BYTES[np.where(masked, _MASKED, trader % len(_NAMES))]


def _text(value: str, n: int, width: int) -> np.ndarray:
    return np.broadcast_to(_cat([value], width), (n, width))


def export_columns(c: Chunk, regularised: np.ndarray, masked: np.ndarray) -> dict[str, Any]:
    """DBF columns of an export chunk; ``ubigeo`` 0 is written blank."""
    n = c.n
    mode2 = np.full((n, 2), ord("0"), dtype=np.uint8)
    mode2[:, 1] = c.mode + 48
    return {
        "CADU": c.office, "FANO": c.year, "NDCL": c.number, "NSER": c.series, "FNUM": c.days,
        "FEMB": np.minimum(c.days + 2, regularised), "FREG": regularised, "REGIMEN": np.full(n, 40),
        "NDOC": digits(c.trader, 11), "DNOMBRE": names(c.trader, masked),
        "DNOMPRO": names(c.trader, masked), "DDIRPRO": _text("DIRECCION SINTETICA", n, 40),
        "UBIGEO": np.where(c.ubigeo > 0, c.ubigeo.astype(np.float64), np.nan),
        "PART_NANDI": _X_CODE[c.product], "CPAIDES": _X_PARTNER[c.partner], "CVIATRA": mode2,
        "CUNITRA": c.mode, "CEST": _text("10", n, 2), "VFOBSERDOL": c.cents / 100.0, "VPESNET": c.net_kg,
        "VPESBRU": np.round(c.net_kg * 1.04, 3), "QUNIFIS": c.quantity, "TUNIFIS": _X_UNIT[c.unit],
        "QUNICOM": c.quantity, "TUNICOM": _X_UNIT[c.unit], "DCOM": _X_DESC[c.product],
        "DMER2": _text("DATOS SINTETICOS", n, 40), "SYNTH": _text("S", n, 1),
    }  # fmt: skip


def import_columns(c: imp.ImportChunk, regularised: np.ndarray) -> dict[str, Any]:
    """DBF columns of an import chunk (FOB + freight + insurance = CIF on every line)."""
    n = c.n
    fob, cif = c.fob / 100.0, c.cents / 100.0
    adv = np.round(fob * np.where(c.product % 3 == 0, 0.0, 0.06), 2)
    arrival = c.days - 3
    return {
        "CODI_ADUAN": c.office, "ANO_PRESE": c.year, "NUME_CORRE": c.number, "FECH_INGSI": c.days,
        "TIPO_DOCUM": _text("4", n, 1), "LIBR_TRIBU": digits(c.trader, 11),
        "DNOMBRE": names(c.trader, np.zeros(n, dtype=bool)), "FECH_LLEGA": arrival,
        "VIA_TRANSP": (c.mode + 48).astype(np.uint8)[:, None], "CADU_MANIF": c.office, "FECH_MANIF": c.year,
        "FECH_RECEP": c.days, "FECH_CANCE": regularised, "DK": _text("S", n, 1),
        "PAIS_ORIGE": _M_COUNTRY[c.origin], "PAIS_ADQUI": _M_COUNTRY[c.acquired],
        "PUER_EMBAR": _M_PORT[c.origin], "FECH_EMBAR": arrival - 20, "NUME_SERIE": c.series,
        "PART_NANDI": _M_CODE[c.product], "DESC_COMER": _M_DESC[c.product],
        "DESC_OTROS": _text("DATOS SINTETICOS", n, 20), "FOB_DOLPOL": fob, "FLE_DOLAR": c.freight / 100.0,
        "SEG_DOLAR": c.insurance / 100.0, "PESO_NETO": c.net_kg, "PESO_BRUTO": np.round(c.net_kg * 1.05, 3),
        "UNID_FIQTY": c.quantity, "UNID_FIDES": _X_UNIT[c.unit], "QUNICOM": c.quantity,
        "TUNICOM": _X_UNIT[c.unit], "SEST_MERCA": _text("10", n, 2), "ADV_DOLAR": adv,
        "IGV_DOLAR": np.round((cif + adv) * 0.16, 2), "IPM_DOLAR": np.round((cif + adv) * 0.02, 2),
        "FMOD": regularised, "SYNTH": _text("S", n, 1),
    }  # fmt: skip
