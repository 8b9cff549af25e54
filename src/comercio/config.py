"""Settings read from the environment, typed and documented in one place."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from comercio.errors import ConfigError

ENGINES = ("duckdb", "spark")
N = TypeVar("N", int, float)


@dataclass(frozen=True)
class Settings:
    """Where comercio keeps its state and where it downloads from.

    home:
        Data directory holding the download cache, the Parquet files and the DuckDB catalog
        (``COMERCIO_HOME``, default ``./var``).
    mirror:
        A directory or base URL that replaces every publisher's address (``COMERCIO_MIRROR``); tests and the
        offline demo point it at ``../shared/data``.
    engine:
        Default compute engine for indicators, ``duckdb`` or ``spark`` (``COMERCIO_ENGINE``).
    reports_dir:
        Where reports are written by default (``COMERCIO_REPORTS``, default ``./reports``).
    query_max_rows:
        Most rows a bounded query returns (``COMERCIO_QUERY_MAX_ROWS``, default 5 000 000); one more row
        marks the result truncated.
    query_timeout_s:
        Seconds after which a bounded query is interrupted on either engine (``COMERCIO_QUERY_TIMEOUT_S``,
        default 15).
    writer_wait_s:
        Seconds a writer (ingest, build) waits for another comercio process that is loading before it gives up
        with an error (``COMERCIO_WRITER_WAIT_S``, default 300). Readers never wait: they read the catalog's
        last committed snapshot.
    spark_master:
        The Spark master the ``spark`` engine runs on (``COMERCIO_SPARK_MASTER``; none means ``local[2]``): a
        standalone cluster ``spark://host:7077``, ``local-cluster[workers,cores,MiB]``, ``local[n]``, or any
        master URL Spark accepts.
    spark_remote:
        A Spark Connect server to run on instead (``COMERCIO_SPARK_REMOTE``, ``sc://host:15002``); set at most
        one of the two.
    spark_conf:
        Extra Spark properties for the session, ``key=value`` separated by spaces (``COMERCIO_SPARK_CONF``,
        e.g. ``spark.executor.memory=2g spark.ui.enabled=true``); applied last.

    With a cluster (any master but ``local[…]``, or a remote), executors read the warehouse's Parquet by the
    driver's paths, so ``home`` must be an absolute path they reach too (a shared file system).
    """

    home: Path = field(default_factory=lambda: Path("var"))
    mirror: str | None = None
    engine: str = "duckdb"
    reports_dir: Path = field(default_factory=lambda: Path("reports"))
    query_max_rows: int = 5_000_000
    query_timeout_s: float = 15.0
    writer_wait_s: float = 300.0
    spark_master: str | None = None
    spark_remote: str | None = None
    spark_conf: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(
                f"unknown engine {self.engine!r}; choose one of {', '.join(ENGINES)}",
                hint="set COMERCIO_ENGINE or --engine",
            )
        if self.query_max_rows < 1 or self.query_timeout_s <= 0:
            raise ConfigError(
                f"query limits must be positive (rows {self.query_max_rows}, seconds {self.query_timeout_s})",
                hint="set COMERCIO_QUERY_MAX_ROWS and COMERCIO_QUERY_TIMEOUT_S",
            )
        if self.writer_wait_s < 0:
            raise ConfigError(
                f"the writer's wait must not be negative ({self.writer_wait_s} s)",
                hint="set COMERCIO_WRITER_WAIT_S",
            )
        if self.spark_remote is not None and self.spark_master is not None:
            raise ConfigError(
                "set either a Spark master or a Spark Connect URL, not both",
                hint="unset COMERCIO_SPARK_MASTER or COMERCIO_SPARK_REMOTE",
            )
        if self.spark_remote is not None and not self.spark_remote.startswith("sc://"):
            raise ConfigError(
                f"a Spark Connect URL starts with sc:// ({self.spark_remote!r})",
                field="COMERCIO_SPARK_REMOTE",
            )

    @property
    def spark_cluster(self) -> bool:
        """True when Spark runs outside this process's JVM (executors that read files by their paths)."""
        master = self.spark_master or "local[2]"
        in_process = master.startswith("local") and not master.startswith("local-cluster")
        return self.spark_remote is not None or not in_process

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def archive_dir(self) -> Path:
        """Files kept for good, one folder per source (weekly microdata the publisher later removes)."""
        return self.home / "archive"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def catalog_path(self) -> Path:
        return self.home / "catalog.duckdb"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "home": Path(env.get("COMERCIO_HOME", "var")),
            "mirror": env.get("COMERCIO_MIRROR") or None,
            "engine": env.get("COMERCIO_ENGINE", "duckdb"),
            "reports_dir": Path(env.get("COMERCIO_REPORTS", "reports")),
            "query_max_rows": _number(env, "COMERCIO_QUERY_MAX_ROWS", int, cls.query_max_rows),
            "query_timeout_s": _number(env, "COMERCIO_QUERY_TIMEOUT_S", float, cls.query_timeout_s),
            "writer_wait_s": _number(env, "COMERCIO_WRITER_WAIT_S", float, cls.writer_wait_s),
            "spark_master": env.get("COMERCIO_SPARK_MASTER") or None,
            "spark_remote": env.get("COMERCIO_SPARK_REMOTE") or None,
            "spark_conf": _spark_conf(env.get("COMERCIO_SPARK_CONF", "")),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _number(env: Mapping[str, str], name: str, kind: Callable[[str], N], default: N) -> N:
    text = env.get(name)
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise ConfigError(f"{name} is not a number: {text!r}", field=name) from None


def _spark_conf(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in text.split():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"COMERCIO_SPARK_CONF: {item!r} is not key=value", field="COMERCIO_SPARK_CONF")
        pairs.append((key, value))
    return tuple(pairs)
