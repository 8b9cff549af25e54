"""A report command run from the command line ends without the interpreter's teardown of its modules
(decision 0021): its output flushed, its exit handlers run, its files whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CODE = """
import atexit, sys
class Torn:
    def __del__(self):
        print("torn down", flush=True)
kept_alive = Torn()  # a module global: only the interpreter's teardown deletes it
atexit.register(lambda: print("exit handlers ran", flush=True))
sys.argv = ["comercio", *sys.argv[1:]]
from comercio.cli import main
main()
"""


def _run(home: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COMERCIO_HOME=str(home), TMPDIR=str(tmp_path))
    return subprocess.run([sys.executable, "-c", CODE, *args], env=env, capture_output=True, text=True)


def test_a_report_skips_the_teardown_and_keeps_its_output(built_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    args = ("report", "regional", "--through", "2022-11", "--format", "json", "--out", str(out))
    done = _run(built_home, tmp_path, *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(out / "report.json"), "exit handlers ran"]
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["through"] == "2022-11"


def test_other_commands_and_failures_exit_as_usual(built_home: Path, tmp_path: Path) -> None:
    listed = _run(built_home, tmp_path, "warehouse", "status")
    assert listed.returncode == 0 and listed.stdout.splitlines()[-2:] == ["exit handlers ran", "torn down"]
    failed = _run(built_home, tmp_path, "report", "regional", "--through", "2099-01", "--format", "json")
    assert failed.returncode == 2 and "2099" in failed.stderr
    assert failed.stdout.splitlines() == ["exit handlers ran", "torn down"]
