"""The engines' connections and bounded execution: how the gateway opens DuckDB or Spark and interrupts a
query past its time limit (split from :mod:`comercio.warehouse.gateway`)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import ibis
import pyarrow as pa

from comercio.config import Settings
from comercio.errors import WarehouseError


@dataclass(frozen=True)
class Bounded:
    """The rows of a bounded query (at most ``limit``) and whether rows beyond ``limit`` were left out."""

    table: pa.Table
    truncated: bool
    limit: int


@contextmanager
def deadline(con: Any, engine: str, timeout: float | None) -> Iterator[None]:
    """Interrupt the query run inside after ``timeout`` seconds (DuckDB's interrupt; Spark's jobs tagged)."""
    if timeout is None:
        yield
        return
    fired, done = threading.Event(), threading.Event()
    if engine == "spark":  # the context's job tags; Spark Connect has no context: the session's tags
        tag = f"comercio-{uuid.uuid4().hex}"
        remote = type(con._session).__module__.startswith("pyspark.sql.connect")
        tags = con._session if remote else con._session.sparkContext
        (tags.addTag if remote else tags.addJobTag)(tag)
        cancel: Callable[[], None] = partial(tags.interruptTag if remote else tags.cancelJobsWithTag, tag)
    else:
        cancel = con.con.interrupt

    def watch() -> None:
        if done.wait(timeout):
            return
        fired.set()
        while (
            True
        ):  # again until the query gives up: it may not have started (memtables are registered first)
            cancel()
            if done.wait(0.5):
                return

    watcher = threading.Thread(target=watch, name="comercio-deadline", daemon=True)
    watcher.start()
    try:
        yield
    except Exception as exc:
        if fired.is_set():
            raise WarehouseError(f"query interrupted after {timeout} s", hint="narrow the query") from exc
        raise
    finally:
        done.set()
        # wait for the watcher to end: a daemon thread left inside the engine's interrupt when the
        # interpreter exits aborts the process ("terminate called … exception not rethrown")
        watcher.join(timeout=2.0)
        if engine == "spark":
            (tags.removeTag if remote else tags.removeJobTag)(tag)


def connect(engine: str, settings: Settings) -> Any:
    if engine == "duckdb":
        return ibis.duckdb.connect(threads=os.cpu_count() or 2)
    if engine == "spark":
        from comercio.warehouse._spark import spark_session

        return ibis.pyspark.connect(spark_session(settings))
    raise WarehouseError(f"unknown engine {engine!r}")
