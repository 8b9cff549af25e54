"""Settings read from the environment, typed and documented in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from comercio.errors import ConfigError

ENGINES = ("duckdb", "spark")


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
    """

    home: Path = field(default_factory=lambda: Path("var"))
    mirror: str | None = None
    engine: str = "duckdb"
    reports_dir: Path = field(default_factory=lambda: Path("reports"))

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(
                f"unknown engine {self.engine!r}; choose one of {', '.join(ENGINES)}",
                hint="set COMERCIO_ENGINE or --engine",
            )

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

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
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
