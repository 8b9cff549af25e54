"""The Spark settings: a master or a Spark Connect URL, extra properties, and a cluster's shared path
(decision 0020); no JVM is started here."""

from __future__ import annotations

from pathlib import Path

import pytest

from comercio.config import Settings
from comercio.errors import ConfigError
from comercio.warehouse import spark_session

CLEAR = ("COMERCIO_SPARK_MASTER", "COMERCIO_SPARK_REMOTE", "COMERCIO_SPARK_CONF")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in CLEAR:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_local_mode(env: pytest.MonkeyPatch) -> None:
    s = Settings.from_env()
    assert (s.spark_master, s.spark_remote, s.spark_conf, s.spark_cluster) == (None, None, (), False)


@pytest.mark.parametrize(
    ("master", "cluster"),
    [
        ("local[2]", False),
        ("local[*]", False),
        ("local", False),
        ("local-cluster[2,1,1024]", True),
        ("spark://10.0.0.5:7077", True),
        ("yarn", True),
    ],
)
def test_which_masters_are_clusters(env: pytest.MonkeyPatch, master: str, cluster: bool) -> None:
    env.setenv("COMERCIO_SPARK_MASTER", master)
    s = Settings.from_env()
    assert (s.spark_master, s.spark_cluster) == (master, cluster)


def test_a_remote_is_a_cluster_and_excludes_a_master(env: pytest.MonkeyPatch) -> None:
    env.setenv("COMERCIO_SPARK_REMOTE", "sc://spark.example:15002")
    s = Settings.from_env()
    assert (s.spark_remote, s.spark_cluster) == ("sc://spark.example:15002", True)
    env.setenv("COMERCIO_SPARK_MASTER", "spark://spark.example:7077")
    with pytest.raises(ConfigError, match="not both"):
        Settings.from_env()


def test_a_remote_must_be_a_spark_connect_url(env: pytest.MonkeyPatch) -> None:
    env.setenv("COMERCIO_SPARK_REMOTE", "spark://spark.example:7077")
    with pytest.raises(ConfigError, match="sc://") as err:
        Settings.from_env()
    assert err.value.field == "COMERCIO_SPARK_REMOTE"


def test_extra_properties_are_key_value_pairs(env: pytest.MonkeyPatch) -> None:
    env.setenv("COMERCIO_SPARK_CONF", "spark.executor.memory=2g  spark.ui.enabled=true")
    assert Settings.from_env().spark_conf == (("spark.executor.memory", "2g"), ("spark.ui.enabled", "true"))
    env.setenv("COMERCIO_SPARK_CONF", "spark.executor.memory")
    with pytest.raises(ConfigError, match="not key=value"):
        Settings.from_env()


@pytest.mark.parametrize(
    "settings",
    [
        Settings(home=Path("var"), spark_master="spark://127.0.0.1:7077"),
        Settings(home=Path("var"), spark_remote="sc://127.0.0.1:15002"),
    ],
)
def test_a_cluster_refuses_a_relative_home(settings: Settings) -> None:
    """Executors read the Parquet by the driver's paths: a relative one means nothing to them."""
    with pytest.raises(ConfigError, match="relative path") as err:
        spark_session(settings)
    assert err.value.field == "COMERCIO_HOME"
    assert "absolute path" in str(err.value.hint)


def test_spark_connect_takes_only_sql_properties() -> None:
    pytest.importorskip("grpc")
    settings = Settings(
        home=Path("/srv/comercio"),
        spark_remote="sc://127.0.0.1:15002",
        spark_conf=(("spark.sql.shuffle.partitions", "8"), ("spark.executor.memory", "2g")),
    )
    with pytest.raises(ConfigError, match=r"spark\.executor\.memory") as err:
        spark_session(settings)
    assert err.value.field == "COMERCIO_SPARK_CONF"
