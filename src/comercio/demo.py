"""``make demo``: the main job, end to end, saying plainly what it did at each step.

1. fetch every configured official source (from COMERCIO_MIRROR when set, else from the publishers);
2. build the warehouse (reference tables, BCRP, SUNAT cuadros, WTO, declarations) and show its status;
3. reconcile (``comercio validate``);
4. write the regional report for the latest month with data, in every format;
5. write the sector study (metalworking) from official data only: WTO merchandise values (world, peers, Peru's
   trade by product group) and SUNAT cuadros G1, F1 and G6 (Peru's exports by group, imports by use,
   destinations). No synthetic data: the synthetic BACI generator serves tests and benchmarks only;
6. serve the dashboard and print its address (skipped with ``--no-serve`` or COMERCIO_DEMO_NO_SERVE=1).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from comercio.config import Settings
from comercio.errors import ComercioError

if TYPE_CHECKING:
    from comercio.warehouse import Warehouse

# A long line is never broken; written to a pipe or a log, rules and tables keep up to 200 columns.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
FORMATS = "html,pdf,md,json,xlsx"


def _step(n: int, text: str) -> None:
    console.rule(f"[bold]{n}. {text}")


def sector_study(wh: Warehouse, settings: Settings, *, formats: str = FORMATS) -> list[Path]:
    """Write the metalworking study from the official data already in the warehouse (WTO, G1, F1, G6).

    Through the latest loaded G1 month, in Spanish and English (``<reports>/sector/{es,en}``). Nothing is
    ingested here: :func:`comercio.ingest.build` loads the sources first (the demo's step 1).
    """
    from comercio.reports.sector import write_sector

    paths: list[Path] = []
    for lang in ("es", "en"):
        paths += write_sector(
            wh, lang=lang, formats=formats, out=settings.reports_dir.resolve() / "sector" / lang
        )
    return paths


def run(serve: bool = True, port: int = 8000) -> int:
    settings = Settings.from_env()
    from comercio.ingest import build
    from comercio.validate import validate
    from comercio.warehouse import Warehouse
    from comercio.warehouse.status import status

    where = settings.mirror or "the publishers' sites"
    _step(1, f"Fetch and build the warehouse in {settings.home.resolve()} (downloads from {where})")
    wh = Warehouse(settings)
    for report in build(wh, settings):
        for line in report.lines():
            console.print(f"  [{report.source}] {line}", highlight=False)
    _step(2, "Warehouse status")
    for row in status(wh):
        total = row["value_total_usd"]
        total_text = f", US$ {total:,.0f}" if total is not None else ""
        months = f", {row['first_month']}…{row['last_month']}" if row["first_month"] else ""
        console.print(f"  {row['dataset']}: {row['rows']:,} rows{total_text}{months}", highlight=False)
    _step(3, "Reconciliation (comercio validate)")
    for c in validate(wh):
        mark = "ok" if c.ok else ("DIFFERENCE" if c.kind == "hard" else "note")
        console.print(f"  {mark}: {c.name}: {c.detail}", highlight=False, markup=False)
    from comercio.reports import write_regional

    _step(4, "Regional export report for the latest month with data")
    for lang in ("es", "en"):
        out = settings.reports_dir.resolve() / "regional" / lang
        written = write_regional(wh, out=out, lang=lang)
        console.print(f"  {lang}: {len(written)} files in {out}", highlight=False)
        for p in written:
            if p.suffix in (".html", ".pdf", ".xlsx", ".md", ".json"):
                console.print(f"    {p.name}", highlight=False)
    _step(5, "Sector study: metalworking, from official data (WTO; SUNAT cuadros G1, F1, G6)")
    for p in sector_study(wh, settings):
        if p.suffix in (".html", ".pdf", ".xlsx", ".md", ".json"):
            console.print(f"  wrote {p}", highlight=False)
    if serve:
        import uvicorn

        from comercio.server import create_app

        _step(6, "Dashboard")
        console.print(f"  Serving the dashboard at http://127.0.0.1:{port}/ (Ctrl+C to stop)")
        uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m comercio.demo", description=__doc__)
    parser.add_argument("--no-serve", action="store_true", help="stop after writing the reports")
    parser.add_argument("--port", type=int, default=int(os.environ.get("COMERCIO_PORT", "8000")))
    args = parser.parse_args(argv)
    serve = not (args.no_serve or os.environ.get("COMERCIO_DEMO_NO_SERVE"))
    try:
        sys.exit(run(serve=serve, port=args.port))
    except ComercioError as exc:
        console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
