"""Synthetic twins, calibrated on official marginals and labelled synthetic wherever they are used.

:func:`generate` writes SUNAT-like export microdata whose department × month totals equal the BCRP figures it
is given (:func:`marginals_from_tables`); :func:`generate_weekly` writes SUNAT's weekly export and import
files as they are published (:mod:`comercio.synth.weekly`); :func:`generate_baci` writes a CEPII BACI-like
world-trade release.
The public names are the imports below (``__all__``); each loads its module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comercio._lazy import facade

if TYPE_CHECKING:
    from comercio.synth.baci import generate_baci as generate_baci
    from comercio.synth.customs import Marginals as Marginals
    from comercio.synth.customs import SynthResult as SynthResult
    from comercio.synth.customs import generate as generate
    from comercio.synth.customs import marginals_from_tables as marginals_from_tables
    from comercio.synth.weekly import generate_weekly as generate_weekly
    from comercio.synth.weekly import targets_from_warehouse as targets_from_warehouse

__getattr__, __dir__, __all__ = facade(__name__, __file__)
