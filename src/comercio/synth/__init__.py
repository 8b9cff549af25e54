"""Synthetic twins, calibrated on official marginals and labelled synthetic wherever they are used.

:func:`generate` writes SUNAT-like export microdata whose department × month totals equal the BCRP figures it
is given (:func:`marginals_from_tables`); :func:`generate_baci` writes a CEPII BACI-like world-trade release.
Each name loads its module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comercio._lazy import attach

if TYPE_CHECKING:
    from comercio.synth.baci import generate_baci
    from comercio.synth.customs import Marginals, SynthResult, generate, marginals_from_tables

__getattr__, __dir__ = attach(
    __name__,
    {
        "baci": ("generate_baci",),
        "customs": ("Marginals", "SynthResult", "generate", "marginals_from_tables"),
    },
)

__all__ = ["Marginals", "SynthResult", "generate", "generate_baci", "marginals_from_tables"]
