"""The one message catalogue of comercio: every user-facing sentence in Spanish and English.

Messages live in TOML files beside this module, one per surface (``common.toml``, ``regional.toml``,
``sector.toml``, ``web.toml``, ``api.toml``); the file name is the first part of every key, so
``regional.title.headline`` is the ``[title] headline`` entry of ``regional.toml``. An entry is a table with
``es`` and ``en`` strings (``str.format`` placeholders allowed) or a nested table of entries. Reports, the
dashboard and the API's error texts all read here: no inline ``if lang == "es"`` anywhere else.

>>> from comercio.i18n import t
>>> t("common.source", "en")
'Source'
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from comercio.errors import ConfigError

LANGS: tuple[str, ...] = ("es", "en")


class MessageError(ConfigError):
    """A message key that is not in the catalogue, or a message missing a language or a placeholder."""


def _flatten(prefix: str, node: Mapping[str, Any], out: dict[str, dict[str, str]], file: str) -> None:
    if set(node) and set(node) <= set(LANGS) and all(isinstance(v, str) for v in node.values()):
        missing = [lang for lang in LANGS if lang not in node]
        if missing:
            raise MessageError(f"message {prefix!r} has no {', '.join(missing)} text", file=file)
        out[prefix] = dict(node)
        return
    for key, value in node.items():
        if not isinstance(value, Mapping):
            raise MessageError(f"message {prefix}.{key} must be a table with es and en texts", file=file)
        _flatten(f"{prefix}.{key}", value, out, file)


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message, keyed ``<file>.<path>``, with its ``es`` and ``en`` texts."""
    out: dict[str, dict[str, str]] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text("utf-8"))
        _flatten(entry.name.removesuffix(".toml"), data, out, entry.name)
    for key, texts in out.items():
        fields = [{n for _, n, _, _ in string.Formatter().parse(texts[lang]) if n} for lang in LANGS]
        if fields[0] != fields[1]:
            raise MessageError(f"message {key!r}: es and en use different placeholders {fields}")
    return out


def t(key: str, lang: str, /, **values: Any) -> str:
    """The message ``key`` in ``lang``, with ``values`` filled in."""
    if lang not in LANGS:
        raise MessageError(f"unsupported language {lang!r}; use one of {LANGS}", field="lang")
    try:
        text = catalogue()[key][lang]
    except KeyError:
        raise MessageError(f"no message {key!r} in the catalogue", field="key") from None
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in catalogue()


def section(prefix: str, lang: str) -> dict[str, str]:
    """Every message under ``prefix`` in ``lang``, keyed by the rest of the key (for templates and tables)."""
    head = prefix + "."
    return {k[len(head) :]: v[lang] for k, v in catalogue().items() if k.startswith(head)}


@dataclass(frozen=True)
class Messages:
    """The catalogue bound to one language (``msg = Messages("es"); msg("common.source")``)."""

    lang: str

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise MessageError(f"unsupported language {self.lang!r}; use one of {LANGS}", field="lang")

    def __call__(self, key: str, /, **values: Any) -> str:
        return t(key, self.lang, **values)


__all__ = ["LANGS", "MessageError", "Messages", "catalogue", "has", "section", "t"]
