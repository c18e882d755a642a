"""The words of the digests' refusals (`digest.` codes)."""

from __future__ import annotations

WORDS: dict[str, str] = {}
