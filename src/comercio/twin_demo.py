"""``make twin``: SUNAT's weekly microdata end to end, on the synthetic twin, with the real commands.

Official item-level data cannot be redistributed, so this run shows the weekly pipeline on the calibrated
twin, and every output it writes says "datos sintéticos":

1. build the calibration warehouse (BCRP departments, SUNAT G1 and F1) from the mirror, as ``make demo`` does;
2. ``comercio synth --weeks 2022-01-03:2025-11-30`` writes one export and one import file per week, in SUNAT's
   real layout (names, 44/58 fields, numeric code fields, UBIGEO coverage by year, masked natural persons,
   regularisation lag, corrections in later weeks) into a mirror directory;
3. ``comercio fetch sunat-microdata`` archives every week from that mirror and ``comercio ingest`` loads the
   archive into a warehouse of its own (``comercio update`` then has nothing new and says nothing);
4. ``comercio diff customs_lines`` lists the corrections;
5. the regional report for 2025-11 (a preliminary month: refused without ``--preliminary``, then written and
   marked) and the sector study (metalworking) with imports, balance, destinations and origins from lines;
6. the same regional report with the twin's exporter → department table as a second attribution basis.

Each step prints its command and how long it took. Sizes: ``--rows`` (default 1 000 000; the closing notes of
issue 14 use 6 000 000).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
WEEKS = "2022-01-03:2025-11-30"
THROUGH = "2025-11"
FORMATS = "html,pdf,md,json,xlsx"


class StepFailed(Exception):
    """A command of the run ended with an unexpected exit code."""


def _comercio() -> str:
    return str(Path(sys.executable).with_name("comercio"))


def _run(
    args: list[str], env: dict[str, str], *, expect: int = 0, quiet: bool = False, log: Path | None = None
) -> tuple[float, str]:
    """Run ``comercio ARGS``; print the command, its time and (unless quiet) its output."""
    shown = "comercio " + " ".join(shlex.quote(a) for a in args)
    console.print(f"  $ {shown}", highlight=False, markup=False)
    start = time.perf_counter()
    done = subprocess.run([_comercio(), *args], env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    output = (done.stdout + done.stderr).rstrip()
    if log is not None:
        log.write_text(output + "\n", encoding="utf-8")
    if not quiet and output:
        for line in output.splitlines():
            console.print(f"    {line}", highlight=False, markup=False)
    console.print(f"    ({seconds:,.1f} s, exit {done.returncode})", highlight=False)
    if done.returncode != expect:
        raise StepFailed(f"{shown} exited {done.returncode}, expected {expect}")
    return seconds, output


def _step(n: int, text: str) -> None:
    console.rule(f"[bold]{n}. {text}")


MARK = ".comercio-twin-run"


def _fresh(root: Path) -> None:
    """Start from an empty ``root``; remove an earlier run's directory only if this runner made it."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARK).exists():
            raise StepFailed(f"{root} is not empty and was not made by this runner: choose another --root")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARK).write_text("made by python -m comercio.twin_demo\n", encoding="utf-8")


def run(rows: int, root: Path) -> int:
    _fresh(root)
    base = {k: v for k, v in os.environ.items() if not k.startswith("COMERCIO_HOME")}
    calib = {**base, "COMERCIO_HOME": str(root / "calibration")}
    mirror = root / "mirror"
    twin = {**base, "COMERCIO_HOME": str(root / "warehouse"), "COMERCIO_MIRROR": str(mirror)}
    reports = root / "reports"

    _step(1, "Calibration warehouse (BCRP, SUNAT G1 and F1 from the official mirror)")
    _run(["build"], calib, quiet=True)

    _step(2, f"Synthetic twin of SUNAT's weekly files, {WEEKS}, {rows:,} lines")
    out = mirror / "sunat" / "microdata"
    seconds, _ = _run(
        ["synth", "--weeks", WEEKS, "--rows", str(rows), "--flow", "both", "--out", str(out)], calib
    )
    console.print(f"    {rows / seconds:,.0f} lines/s written", highlight=False)

    _step(3, "Archive every week from the mirror, ingest the archive, update (nothing new)")
    _run(["fetch", "sunat-microdata", "--from", WEEKS.split(":")[0], "--to", WEEKS.split(":")[1]], twin,
         quiet=True, log=root / "fetch.log")  # fmt: skip
    seconds, _ = _run(["ingest", "sunat-microdata"], twin, quiet=True, log=root / "ingest.log")
    console.print(f"    {rows / seconds:,.0f} lines/s ingested (log: {root / 'ingest.log'})", highlight=False)
    _, said = _run(["update"], twin, quiet=True)
    console.print(f"    update printed {len(said.splitlines())} lines", highlight=False)
    _run(["warehouse", "status"], twin)

    _step(4, "Corrections across weekly files")
    _run(["diff", "customs_lines", "--limit", "5"], twin)

    _step(5, f"Regional report for {THROUGH} and the sector study, from the lines")
    _run(["report", "regional", "--through", THROUGH, "--format", "md", "--out", str(reports / "refused")],
         twin, expect=2)  # fmt: skip
    for lang in ("es", "en"):
        _run(["report", "regional", "--through", THROUGH, "--preliminary", "--lang", lang,
              "--format", FORMATS, "--out", str(reports / "regional" / lang)], twin, quiet=True)  # fmt: skip
        _run(["report", "sector", "--basket", "metalmecanica", "--through", THROUGH, "--lang", lang,
              "--format", FORMATS, "--out", str(reports / "sector" / lang)], twin, quiet=True)  # fmt: skip

    _step(6, "A second attribution basis: the twin's exporter → department table")
    _run(["ingest", "exporter-regions", str(out / "exporter_regions_sintetico.csv")], twin)
    _run(["report", "regional", "--through", THROUGH, "--preliminary", "--format", "md,json",
          "--out", str(reports / "regional-basis" / "es")], twin, quiet=True)  # fmt: skip
    console.print(f"Reports (datos sintéticos) in {reports}", highlight=False)
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m comercio.twin_demo", description=__doc__)
    parser.add_argument("--rows", type=int, default=int(os.environ.get("TWIN_ROWS", "1000000")))
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("TWIN_ROOT", "var/twin")))
    args = parser.parse_args(argv)
    try:
        sys.exit(run(args.rows, args.root.resolve()))
    except StepFailed as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
