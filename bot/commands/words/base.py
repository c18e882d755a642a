"""The marker every topic's words use: it lists a message for translation (Babel extracts
`N_`); the message is translated when said, for the reader at hand."""

from __future__ import annotations

from bot.domain.marks import N_

__all__ = ["N_"]
