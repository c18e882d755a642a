"""The words of refusals every topic shares (`form.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "form.fields": N_("Some fields need another look: each says what is wrong."),
}
