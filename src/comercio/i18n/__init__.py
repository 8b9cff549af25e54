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

import contextlib
import hashlib
import json
import os
import stat
import string
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
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
    """Every message, keyed ``<file>.<path>``, with its ``es`` and ``en`` texts.

    Parsing and checking the TOML files costs a command about 20 ms (about 0.1 s on a loaded machine),
    loading the kept JSON about 3 ms, so the checked catalogue is kept between runs (:func:`kept_file`), keyed
    by a digest of the files' texts and of this module's code: an edited file, or a change of how messages
    are read and checked, parses them again.
    """
    files = [
        (entry.name, entry.read_text("utf-8"))
        for entry in sorted(resources.files(__name__).iterdir(), key=lambda p: p.name)
        if entry.name.endswith(".toml")
    ]
    code = Path(__file__).read_text("utf-8")
    digest = hashlib.sha256(json.dumps([code, files]).encode()).hexdigest()[:32]
    kept = kept_file(f"messages-{digest}.json")
    if kept is not None:
        with contextlib.suppress(OSError, ValueError):
            loaded: dict[str, dict[str, str]] = json.loads(kept.read_text("utf-8"))
            return loaded
    out: dict[str, dict[str, str]] = {}
    for name, text in files:
        _flatten(name.removesuffix(".toml"), tomllib.loads(text), out, name)
    for key, texts in out.items():
        fields = [{n for _, n, _, _ in string.Formatter().parse(texts[lang]) if n} for lang in LANGS]
        if fields[0] != fields[1]:
            raise MessageError(f"message {key!r}: es and en use different placeholders {fields}")
    if kept is not None:  # written whole, then renamed: a reader never sees half a file
        with contextlib.suppress(OSError):
            part = kept.with_suffix(f".{os.getpid()}.part")
            part.write_text(json.dumps(out), encoding="utf-8")
            part.replace(kept)
    return out


def kept_file(name: str) -> Path | None:
    """``name`` in this user's private cache directory under the system's temporary directory (created
    mode 0700; None when it cannot be had, or is not a directory of this user's alone): the kept message
    catalogue and the reports' kept facts (:mod:`comercio.reports.kept`)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return None
    folder = Path(tempfile.gettempdir()) / f"comercio-{getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != getuid() or info.st_mode & 0o077:
        return None
    return folder / name


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


__all__ = ["LANGS", "MessageError", "Messages", "catalogue", "has", "kept_file", "section", "t"]
