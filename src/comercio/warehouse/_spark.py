"""Local PySpark session tuned for a small machine (ARCHITECTURE.md §4 pitfalls)."""

from __future__ import annotations

import os
from typing import Any

from comercio.errors import ConfigError


def spark_session() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ConfigError("the Spark engine needs PySpark", hint="pip install 'comercio[spark]'") from exc
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    builder = (
        SparkSession.builder.master(os.environ.get("COMERCIO_SPARK_MASTER", "local[2]"))
        .appName("comercio")
        .config("spark.driver.memory", os.environ.get("COMERCIO_SPARK_MEMORY", "4g"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
