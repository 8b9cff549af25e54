"""dBase decoding, public: the column-wise decoders SUNAT's microdata reader is built on (decision 0018).

A block of fixed-width records is gathered once (:func:`gather`: the fields read, transposed) and each field
is then decoded as a whole column: unsigned codes (:func:`digits_int`), dBase numbers (:func:`numeric`),
dates (:func:`dates`) and latin-1 text (:func:`text`). Code outside :mod:`comercio.sources` (today the
decode tests) uses these names; the module behind them is private.
"""

from __future__ import annotations

from comercio.sources._dbf import DbfField, dates, digits_int, gather, numeric, text

__all__ = ["DbfField", "dates", "digits_int", "gather", "numeric", "text"]
