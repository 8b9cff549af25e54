"""Processes of a Spark cluster on this machine (loopback only) for the cluster tests, and the evidence of
where the work ran: every process is started in its own session and its whole group is ended afterwards."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

CHILD = Path(__file__).with_name("_facts_child.py")
CONNECT_SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"
LOOPBACK = "127.0.0.1"


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a child: loopback only, the executors' Python is this one, 1 GiB driver."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMERCIO_SPARK_", "PYSPARK_", "SPARK_"))}
    env.update(SPARK_LOCAL_IP=LOOPBACK, PYSPARK_PYTHON=sys.executable, COMERCIO_SPARK_MEMORY="1g")
    env.update(COMERCIO_QUERY_TIMEOUT_S="600", **extra)  # a bounded query's own limit; the machine is shared
    return env


@contextmanager
def process_group(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``args`` in a session of its own; on exit end the whole group (JVMs it forked included)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield proc
        finally:
            _end_group(proc)


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the group, then SIGKILL to what is left after 15 s; returns once no member remains."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        end = time.monotonic() + 15
        while time.monotonic() < end:
            proc.poll()  # reap the leader: a zombie still counts as a member of its group
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def facts_in_child(env: dict[str, str], through: str, work: Path, timeout: float) -> dict[str, Any]:
    """Run the regional set on the Spark engine in a child interpreter (its own JVM) and read its answer."""
    out = work / "facts.json"
    log = work / "child.log"
    with process_group([sys.executable, str(CHILD), through, str(out)], env, log) as proc:
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the Spark child ran past {timeout} s\n{tail(log)}") from None
    if code != 0 or not out.exists():
        raise AssertionError(f"the Spark child exited {code}\n{tail(log)}")
    return dict(json.loads(out.read_text(encoding="utf-8")))


def evidence(ui: str, app_id: str | None = None) -> dict[str, Any]:
    """Where the work ran, from the driver's REST API: the executors (tasks completed by each) and, for every
    stage that read input files, the bytes each executor read."""
    if app_id is None:
        app_id = str(_get(f"{ui}/api/v1/applications")[0]["id"])
    base = f"{ui}/api/v1/applications/{app_id}"
    execs = _get(f"{base}/executors?activeOnly=false")
    scans = [
        {
            "stage": st["stageId"],
            "name": st["name"],
            "input_bytes": st["inputBytes"],
            "read_by": {k: v["inputBytes"] for k, v in (st.get("executorSummary") or {}).items()},
        }
        for st in _get(f"{base}/stages?details=true&status=complete")
        if st.get("inputBytes", 0) > 0
    ]
    return {"app_id": app_id, "executors": execs, "scans": scans}


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.load(resp)


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited {proc.returncode} before listening\n{tail(log)}")
        with socket.socket() as s:
            if s.connect_ex((LOOPBACK, port)) == 0:
                return
        time.sleep(1)
    raise AssertionError(f"nothing listened on {LOOPBACK}:{port} after {timeout} s\n{tail(log)}")


def connect_server_args(master: str, grpc_port: int, ui_port: int) -> list[str]:
    """``spark-submit`` of the Spark Connect server shipped in PySpark's jars, bound to loopback."""
    home = spark_home()
    jar = next((home / "jars").glob("spark-connect_*.jar"))
    conf = {
        "spark.connect.grpc.binding.address": LOOPBACK,
        "spark.connect.grpc.binding.port": str(grpc_port),
        "spark.driver.bindAddress": LOOPBACK,
        "spark.driver.host": LOOPBACK,
        "spark.ui.port": str(ui_port),
        "spark.ui.showConsoleProgress": "false",
        "spark.executor.memory": "1g",
    }
    args = [str(home / "bin" / "spark-submit"), "--master", master, "--driver-memory", "1g"]
    for key, value in conf.items():
        args += ["--conf", f"{key}={value}"]
    return [*args, "--class", CONNECT_SERVER, str(jar)]


def tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return ""
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(line for line in text[-lines:])


def task_counts(execs: list[dict[str, Any]]) -> dict[str, int]:
    """Tasks completed per executor (the driver runs none on a cluster)."""
    return {str(e["id"]): int(e["completedTasks"]) for e in execs if e["id"] != "driver"}


def scans_across_executors(scans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The file-reading stages whose input was read by two executors or more."""
    return [s for s in scans if sum(1 for b in s["read_by"].values() if b > 0) >= 2]
