"""Cases that still fail, with the owner who must fix them (the tests mark them ``xfail(strict=True)``).

Owners: "contracts" (warehouse/loads.py, ingest.py: generic checks, shrink, content hash), "readers"
(bcrp, DBF microdata, BACI, Infotrade, declarations, harmonized, boundaries), "g6" (SUNAT cuadros), "wto",
"server" (API, catalog) and "corpus" (the CLI). Remove a line when its fix lands: the strict xfail turns the
test red until then.
"""

from __future__ import annotations

OWNERS: dict[str, str] = {}
