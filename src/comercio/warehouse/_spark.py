"""The Spark session: local mode tuned for a small machine (ARCHITECTURE.md §4 pitfalls), a cluster's master,
or a Spark Connect server (docs/decisions/0020-spark-cluster.md)."""

from __future__ import annotations

import os
from typing import Any

from comercio.config import Settings
from comercio.errors import ConfigError

LOCAL_MASTER = "local[2]"


def spark_session(settings: Settings | None = None) -> Any:
    """The process's Spark session for ``settings`` (the environment's when none): built on first use.

    Spark keeps one session per process: a later call with other settings gets the first session.
    """
    settings = settings or Settings.from_env()
    if settings.spark_cluster and not settings.home.is_absolute():
        raise ConfigError(
            f"COMERCIO_HOME is a relative path ({settings.home}); a Spark cluster's executors read the "
            "warehouse's Parquet by the driver's paths",
            field="COMERCIO_HOME",
            hint="set COMERCIO_HOME to an absolute path on a file system every executor reaches",
        )
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ConfigError("the Spark engine needs PySpark", hint="pip install 'comercio[spark]'") from exc
    if settings.spark_remote is not None:
        return _remote(SparkSession, settings)
    master = settings.spark_master or LOCAL_MASTER
    on_this_machine = master.startswith("local")  # local[n] and local-cluster[…]: loopback only
    if on_this_machine:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    builder = (
        SparkSession.builder.master(master)
        .appName("comercio")
        .config("spark.driver.memory", os.environ.get("COMERCIO_SPARK_MEMORY", "4g"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.ansi.enabled", "false")
    )
    if on_this_machine:
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1")
    for key, value in settings.spark_conf:
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _remote(spark_session_class: Any, settings: Settings) -> Any:
    """A Spark Connect session; the server owns the cluster, only session-level SQL settings are sent."""
    try:
        import grpc  # noqa: F401  # Spark Connect's client transport
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ConfigError(
            "COMERCIO_SPARK_REMOTE needs the Spark Connect client (grpcio, grpcio-status, "
            "googleapis-common-protos)",
            hint="pip install 'comercio[spark]'",
        ) from exc
    server_side = [key for key, _ in settings.spark_conf if not key.startswith("spark.sql.")]
    if server_side:
        raise ConfigError(
            f"with Spark Connect only spark.sql.* properties can be set per session, not {server_side[0]}",
            field="COMERCIO_SPARK_CONF",
            hint="set it on the Spark Connect server",
        )
    session = spark_session_class.builder.remote(settings.spark_remote).appName("comercio").getOrCreate()
    conf = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.ansi.enabled": "false",
        **dict(settings.spark_conf),
    }
    for key, value in conf.items():
        session.conf.set(key, value)
    return session
