"""The field layouts of SUNAT's microdata DBF files: the names SUNAT documents, and the ones comercio reads.

Source: ``SUNAT_LAYOUTS.md`` §1a (exports, ``x…``) and §1b (imports for consumption, format A, ``ma…``),
restated from SUNAT's download pages and public code. Real export DBFs have 44 fields, of which §1a names 37
(``CNAN`` is ``PART_NANDI`` in some extracts); real import DBFs have the 58 of §1b. Fields not named here are
ignored and reported (:func:`field_notes`); a field a role needs is a :class:`ParseError` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass

from comercio.errors import ParseError
from comercio.sources import _dbf

__all__ = [
    "EXPORT_FIELDS",
    "EXPORT_LAYOUT",
    "IMPORT_FIELDS",
    "IMPORT_LAYOUT",
    "Layout",
    "detect_layout",
    "field_notes",
]

EXPORT_FIELDS: tuple[str, ...] = (
    "CADU", "FANO", "NDCL", "NSER", "FNUM", "FEMB", "FREG", "REGIMEN", "NDOC", "DNOMBRE", "DNOMPRO",
    "DDIRPRO", "UBIGEO", "PART_NANDI", "CPAIDES", "CPUEDES", "CVIATRA", "CUNITRA", "CAGE", "CALM", "CEST",
    "CENTFIN", "DMAT", "NCON", "VFOBSERDOL", "VPESNET", "VPESBRU", "QUNIFIS", "TUNIFIS", "QUNICOM",
    "TUNICOM", "DCOM", "DMER2", "DMER3", "DMER4", "DMER5",
)  # fmt: skip
"""§1a, in its order (``CNAN`` is accepted in place of ``PART_NANDI``)."""

IMPORT_FIELDS: tuple[str, ...] = (
    "CODI_ADUAN", "ANO_PRESE", "NUME_CORRE", "FECH_INGSI", "TIPO_DOCUM", "LIBR_TRIBU", "DNOMBRE",
    "CODI_AGENT", "FECH_LLEGA", "VIA_TRANSP", "EMPR_TRANS", "CODI_ALMA", "CADU_MANIF", "FECH_MANIF",
    "NUME_MANIF", "FECH_RECEP", "FECH_CANCE", "TIPO_CANCE", "BANC_CANCE", "CODI_ENFIN", "DK", "PAIS_ORIGE",
    "PAIS_ADQUI", "PUER_EMBAR", "FECH_EMBAR", "NUME_SERIE", "PART_NANDI", "DESC_COMER", "DESC_MATCO",
    "DESC_USOAP", "DESC_FOPRE", "DESC_OTROS", "FOB_DOLPOL", "FLE_DOLAR", "SEG_DOLAR", "PESO_NETO",
    "PESO_BRUTO", "UNID_FIQTY", "UNID_FIDES", "QUNICOM", "TUNICOM", "SEST_MERCA", "ADV_DOLAR", "IGV_DOLAR",
    "ISC_DOLAR", "IPM_DOLAR", "DES_DOLAR", "IPA_DOLAR", "SAD_DOLAR", "DER_ADUM", "COMM", "FMOD",
    "CANT_BULTO", "CLASE", "TRAT_PREFE", "TIPO_TRAT", "CODI_LIBER", "IMPR_RELIQ",
)  # fmt: skip
"""§1b, all 58, in its order."""

SYNTH_FIELD = "SYNTH"  # the synthetic twin's marker (not SUNAT's): known, never reported
COUNTRY_ROLES = ("partner", "acquisition")
DATE_ROLES = ("date", "shipped")  # YYYYMMDD: dBase D, or 8 characters / digits


@dataclass(frozen=True)
class Layout:
    """Which DBF field plays each role (alternatives in order of preference), and the field names known."""

    flow: str
    roles: dict[str, tuple[str, ...]]
    known: tuple[str, ...]
    optional: frozenset[str] = frozenset()

    def resolve(self, header: _dbf.DbfHeader, file: str) -> dict[str, _dbf.DbfField]:
        """The field of each role; a missing required field, or a numeric country field, is a ParseError."""
        out: dict[str, _dbf.DbfField] = {}
        for role, names in self.roles.items():
            found = [n for n in names if n in header.names]
            if found:
                out[role] = header.field(found[0])
            elif role not in self.optional:
                raise ParseError(
                    f"{self.flow} microdata file lacks field {names[0]}", file=file, field=names[0]
                )
        for role, found_field in out.items():
            _check_type(role, found_field, file)
        for role in COUNTRY_ROLES:
            f = out.get(role)
            if f is not None and f.type in "NF":
                raise ParseError(
                    f"country field {f.name} is stored as a number ({f.type}{f.length}); comercio reads "
                    "countries as ISO 3166 alpha-2 text and has no table of numeric country codes",
                    file=file,
                    field=f.name,
                    hint="the file cannot be read until such a table exists",
                )
        if SYNTH_FIELD in header.names:
            out["synth"] = header.field(SYNTH_FIELD)
        return out

    def absent_optional(self, header: _dbf.DbfHeader) -> list[str]:
        """The first-choice names of optional roles the file lacks."""
        names = set(header.names)
        return [alt[0] for role, alt in self.roles.items() if role in self.optional and names.isdisjoint(alt)]


EXPORT_LAYOUT = Layout(
    flow="X",
    roles={
        "office": ("CADU",),
        "year": ("FANO",),
        "number": ("NDCL",),
        "series": ("NSER",),
        "date": ("FNUM",),
        "shipped": ("FEMB",),
        "ubigeo": ("UBIGEO",),
        "product": ("PART_NANDI", "CNAN"),
        "partner": ("CPAIDES",),
        "mode": ("CVIATRA",),
        "trader": ("NDOC",),
        "name": ("DNOMBRE",),
        "fob": ("VFOBSERDOL",),
        "net_kg": ("VPESNET",),
        "quantity": ("QUNIFIS",),
        "unit": ("TUNIFIS",),
    },
    known=(*EXPORT_FIELDS, "CNAN"),
    optional=frozenset(
        {"ubigeo", "net_kg", "quantity", "unit", "mode", "trader", "name", "partner", "shipped"}
    ),
)

IMPORT_LAYOUT = Layout(
    flow="M",
    roles={
        "office": ("CODI_ADUAN",),
        "year": ("ANO_PRESE",),
        "number": ("NUME_CORRE",),
        "series": ("NUME_SERIE",),
        "date": ("FECH_INGSI",),
        "product": ("PART_NANDI",),
        "partner": ("PAIS_ORIGE",),
        "acquisition": ("PAIS_ADQUI",),
        "mode": ("VIA_TRANSP",),
        "trader": ("LIBR_TRIBU",),
        "name": ("DNOMBRE",),
        "fob": ("FOB_DOLPOL",),
        "freight": ("FLE_DOLAR",),
        "insurance": ("SEG_DOLAR",),
        "net_kg": ("PESO_NETO",),
        "quantity": ("UNID_FIQTY",),
        "unit": ("UNID_FIDES",),
    },
    known=IMPORT_FIELDS,
    optional=frozenset(
        {
            "freight",
            "insurance",
            "net_kg",
            "quantity",
            "unit",
            "mode",
            "trader",
            "name",
            "partner",
            "acquisition",
        }
    ),
)


def _check_type(role: str, f: _dbf.DbfField, file: str) -> None:
    """A field whose dBase type cannot hold its role refuses the file (every line would be bad)."""
    if role in DATE_ROLES:
        why = "" if f.length == 8 and f.type in "DCN" else "a date must be 8 characters, YYYYMMDD"
    elif f.type in "DL":
        why = "a date or logical field cannot hold a number, a code or a text"
    else:
        return
    if why:
        raise ParseError(
            f"field {f.name} has type {f.type}{f.length}: {why}",
            file=file,
            field=f.name,
        )


def detect_layout(header: _dbf.DbfHeader, name: str) -> Layout:
    """Export or import, by field names first and by the file name (``x…`` / ``ma…``) second."""
    names = set(header.names)
    if {"CADU", "VFOBSERDOL"} <= names:
        return EXPORT_LAYOUT
    if {"CODI_ADUAN", "FOB_DOLPOL"} <= names:
        return IMPORT_LAYOUT
    low = name.lower()
    if low.startswith("ma"):
        return IMPORT_LAYOUT
    if low.startswith("x"):
        return EXPORT_LAYOUT
    raise ParseError(
        "cannot tell export from import: neither CADU/VFOBSERDOL nor CODI_ADUAN/FOB_DOLPOL fields, "
        "and the name starts with neither 'x' nor 'ma'",
        file=name,
    )


def _listed(names: list[str], what: str) -> str:
    """``"2 fields …: A, B"`` with the noun in the singular for one."""
    noun = "field" if len(names) == 1 else "fields"
    return f"{len(names)} {what.replace('fields', noun)}: {', '.join(names)}"


def field_notes(header: _dbf.DbfHeader, layout: Layout) -> tuple[str, ...]:
    """What the ingest reports about a file's fields: unknown ones ignored, documented ones absent.

    Real export files carry 44 fields and SUNAT_LAYOUTS.md §1a documents 37, so their 8 others are reported
    as unknown on every load: the note says what comercio did not read, not that the file is wrong.
    """
    known = {*layout.known, SYNTH_FIELD}
    unknown = [n for n in header.names if n not in known]
    absent_roles = layout.absent_optional(header)
    alternatives = {n for alt in layout.roles.values() for n in alt[1:]}
    present = set(header.names) | {
        alt[0] for alt in layout.roles.values() if not set(alt).isdisjoint(header.names)
    }
    absent_other = [
        n for n in layout.known if n not in present and n not in absent_roles and n not in alternatives
    ]
    said = []
    if unknown:
        said.append(_listed(unknown, "fields comercio does not know, ignored"))
    if absent_roles:
        why = " (so every line goes to department 99, unattributed)" if "UBIGEO" in absent_roles else ""
        said.append(_listed(absent_roles, "optional fields absent, what they feed left empty") + why)
    if absent_other:
        said.append(_listed(absent_other, "documented fields absent (comercio does not read them)"))
    return tuple(said)
