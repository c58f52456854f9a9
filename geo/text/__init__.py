"""The text stage: reading files, folding, tokens, place mentions and their resolution.

Public API (loaded on first use, so importing the package stays cheap):
- :mod:`geo.text.reading`: ``Article``, ``read_article``, ``read_text_bytes``, ``detect_language``
- :mod:`geo.text.normalize`: ``fold``, ``normalize_with_map``
- :mod:`geo.text.tokens`: ``Tokens``, ``tokenize`` (the article read once, shared by every reader)
- :mod:`geo.text.extract`: ``find_mentions`` (on :mod:`~geo.text.lexicon`, :mod:`~geo.text.scan`,
  :mod:`~geo.text.context`)
- :mod:`geo.text.resolve`: ``geoparse`` (:mod:`~geo.text.candidates`, :mod:`~geo.text.scoring`,
  :mod:`~geo.text.choice`, on :mod:`~geo.text.features` and :mod:`~geo.text.links`)
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Article": "reading",
    "read_article": "reading",
    "read_text_bytes": "reading",
    "detect_language": "reading",
    "fold": "normalize",
    "normalize_with_map": "normalize",
    "Tokens": "tokens",
    "tokenize": "tokens",
    "find_mentions": "extract",
    "geoparse": "resolve",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
