"""HTTP API of comercio: ``create_app(settings)`` builds the FastAPI app (API under ``/api/v1`` and the
dashboard); ``python -m comercio.api.loadtest`` measures it on loopback."""

from __future__ import annotations

from comercio.api.app import create_app

__all__ = ["create_app"]
