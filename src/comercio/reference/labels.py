"""Display form of SUNAT's sector labels (cuadro G1): numbering removed, accents restored, sentence case.

SUNAT's tables spell the same node differently across years (``III.Otros`` and ``III. Otros``,
``Metal-mecanico`` and ``Metal-Mecánica``, ``Quimico``); paths and codes keep SUNAT's spelling, and every
label shown to a reader goes through :func:`display_label` (or :func:`display_path` for a whole path).
"""

from __future__ import annotations

import re

PATH_SEPARATOR = " > "
_NUMBERING = re.compile(r"^\s*[IVXLC]+\.\s*")  # "II. ", "III." (roman numbering of the top level)
_HYPHEN_COMPOUND = re.compile(r"\b(metal|sidero)-(\w)", re.IGNORECASE)  # "Metal-mecánico" → "metalmecánico"
_WORD = re.compile(r"\w+", re.UNICODE)
# words SUNAT's older tables write without their accent (lower case, as they are matched)
ACCENTS = {
    "agricola": "agrícola",
    "agricolas": "agrícolas",
    "algodon": "algodón",
    "artesanias": "artesanías",
    "azucar": "azúcar",
    "cafe": "café",
    "joyeria": "joyería",
    "mecanica": "mecánica",
    "mecanico": "mecánico",
    "metalica": "metálica",
    "metalmecanica": "metalmecánica",
    "metalmecanico": "metalmecánico",
    "metalurgico": "metalúrgico",
    "mineria": "minería",
    "petroleo": "petróleo",
    "quimico": "químico",
    "siderometalurgico": "siderometalúrgico",
}


def display_label(text: str) -> str:
    """One SUNAT label as a reader should see it: ``III.Otros`` → ``Otros``, ``Quimico`` → ``Químico``,
    ``Metal-mecanico`` → ``Metalmecánico``, ``II.Productos No Tradicionales`` → ``Productos no
    tradicionales``."""
    plain = _NUMBERING.sub("", text).strip()
    plain = _HYPHEN_COMPOUND.sub(lambda m: m.group(1) + m.group(2), plain).lower()
    plain = _WORD.sub(lambda m: ACCENTS.get(m.group(0), m.group(0)), plain)
    return plain[:1].upper() + plain[1:]


def display_path(path: str, separator: str = PATH_SEPARATOR) -> str:
    """Every label of a G1 path in display form, joined by ``separator``."""
    return separator.join(display_label(p) for p in path.split(PATH_SEPARATOR))


__all__ = ["ACCENTS", "PATH_SEPARATOR", "display_label", "display_path"]
