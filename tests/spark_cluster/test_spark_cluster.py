"""The regional set on a multi-process Spark cluster started on this machine (loopback only) equals DuckDB's,
and the driver's REST API shows the tasks ran on two executors (issue 15 item 5, decision 0020).

Each Spark run is a child interpreter whose settings are only environment variables, as a user would set
them: ``COMERCIO_SPARK_MASTER=local-cluster[2,1,1024]`` (two worker JVMs, one core and 1 GiB each) or
``COMERCIO_SPARK_REMOTE=sc://…`` for a Spark Connect server the test starts on that same kind of cluster.
Every process a test starts is ended with its process group, also when the test fails.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from _cluster import (
    base_env,
    connect_server_args,
    evidence,
    facts_in_child,
    free_port,
    process_group,
    scans_across_executors,
    spark_home,
    task_counts,
    wait_for_port,
)

from comercio.config import Settings

pytestmark = [pytest.mark.spark, pytest.mark.slow]

ROWS = 40_000  # synthetic customs lines: every section of the regional set, product detail included
CLUSTER = "local-cluster[2,1,1024]"
CHILD_TIMEOUT_S = 420.0
REL = 1e-9  # DuckDB and Spark sum floats in different orders (tests/fixtures/README.md)
# the 2 MB of lines in 256 KiB splits, so each executor has part of the scan
SPLIT = "spark.sql.files.maxPartitionBytes=262144"


@pytest.fixture(scope="module")
def lines_home(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, Any]:
    """An absolute warehouse home holding only synthetic customs lines (the bench's regional warehouse)."""
    from comercio.bench._data import bcrp_marginals, prepare_regional

    work = tmp_path_factory.mktemp("cluster")
    info = prepare_regional(ROWS, 7, work, bcrp_marginals(shared_data))
    assert Path(info["home"]).is_absolute()
    return info


@pytest.fixture(scope="module")
def duckdb_facts(lines_home: dict[str, Any]) -> dict[str, Any]:
    from comercio.indicators.regional import regional_facts
    from comercio.warehouse import Warehouse

    wh = Warehouse(Settings(home=Path(lines_home["home"])), read_only=True)
    rf = regional_facts(wh, lines_home["through"], engine="duckdb")
    return _plain({"facts": {f.id: f.value for f in rf.facts}, "omitted": sorted(rf.omitted)})


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _assert_same(spark: dict[str, Any], duck: dict[str, Any]) -> None:
    assert spark["omitted"] == duck["omitted"] == []
    assert set(spark["facts"]) == set(duck["facts"])
    differ = [(key, s, d) for key, d in duck["facts"].items() if not _equal(s := spark["facts"][key], d)]
    assert not differ, f"{len(differ)} of {len(duck['facts'])} facts differ, e.g. {differ[:5]}"


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, int | float) and isinstance(b, int | float) and math.isclose(a, b, rel_tol=REL)
    return bool(a == b)


def _assert_bounds(got: dict[str, Any]) -> None:
    """``execute_bounded`` cut the rows at its limit and interrupted the endless query at its deadline."""
    print(f"\nbounded query: {got['bounded']}; deadline: {got['interrupted']!r} in {got['interrupt_s']} s")
    assert got["bounded"] == [5, True]
    assert got["interrupted"] == "query interrupted after 3.0 s", got
    assert got["interrupt_s"] < 120, got  # not the minutes the cross join needs


def _assert_across_executors(label: str, proof: dict[str, Any], facts: int) -> None:
    """Tasks completed on two executors, and a stage reading the lines read by both; printed with ``-s``."""
    tasks = task_counts(proof["executors"])
    shared = scans_across_executors(proof["scans"])
    print(f"\n[{label}] application {proof['app_id']}: {facts} facts identical to DuckDB")
    print("executors (id, host:port, completed tasks):")
    for e in proof["executors"]:
        print(f"  {e['id']:>6} {e['hostPort']:>22} {e['completedTasks']:>5}")
    print("stages that read files (stage, bytes read by each executor):")
    for scan in proof["scans"]:
        print(f"  {scan['stage']:>4} {scan['input_bytes']:>9} B  {scan['read_by']}")
    assert sum(n > 0 for n in tasks.values()) >= 2, tasks
    assert shared, proof["scans"]


def _work_dirs() -> set[str]:
    work = spark_home() / "work"  # where local-cluster's workers keep their executors' logs
    return {p.name for p in work.iterdir()} if work.is_dir() else set()


@pytest.fixture
def clean_work_dirs() -> Any:
    """local-cluster workers write to SPARK_HOME/work: remove what this test added."""
    before = _work_dirs()
    yield
    work = spark_home() / "work"
    for name in _work_dirs() - before:
        shutil.rmtree(work / name, ignore_errors=True)
    if not before and work.is_dir() and not any(work.iterdir()):
        work.rmdir()


def test_regional_set_on_a_local_cluster_equals_duckdb(
    lines_home: dict[str, Any], duckdb_facts: dict[str, Any], tmp_path: Path, clean_work_dirs: None
) -> None:
    env = base_env(
        COMERCIO_HOME=lines_home["home"],
        COMERCIO_SPARK_MASTER=CLUSTER,
        COMERCIO_SPARK_CONF=f"spark.ui.enabled=true spark.ui.port=0 spark.executor.memory=1g {SPLIT}",
    )
    got = facts_in_child(env, lines_home["through"], tmp_path, CHILD_TIMEOUT_S)
    assert got["master"] == CLUSTER
    _assert_same(got, duckdb_facts)
    _assert_bounds(got)
    _assert_across_executors(CLUSTER, got, len(got["facts"]))


def test_regional_set_through_spark_connect_equals_duckdb(
    lines_home: dict[str, Any], duckdb_facts: dict[str, Any], tmp_path: Path, clean_work_dirs: None
) -> None:
    pytest.importorskip("grpc", reason="Spark Connect's client needs grpcio (the spark extra)")
    grpc_port, ui_port = free_port(), free_port()
    server_log = tmp_path / "connect-server.log"
    args = connect_server_args(CLUSTER, grpc_port, ui_port)
    with process_group(args, base_env(), server_log) as server:
        wait_for_port(grpc_port, server, server_log, timeout=240)
        env = base_env(
            COMERCIO_HOME=lines_home["home"],
            COMERCIO_SPARK_REMOTE=f"sc://127.0.0.1:{grpc_port}",
            COMERCIO_SPARK_CONF=SPLIT,
        )
        got = facts_in_child(env, lines_home["through"], tmp_path, CHILD_TIMEOUT_S)
        proof = evidence(f"http://127.0.0.1:{ui_port}")
    _assert_same(got, duckdb_facts)
    _assert_bounds(got)
    _assert_across_executors(f"Spark Connect on {CLUSTER}", proof, len(got["facts"]))


# -- settings (no JVM) ---------------
