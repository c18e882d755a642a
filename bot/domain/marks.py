"""The marker of words to translate, for the domain's few labels (a stage's name, a timeline
kind's words): the domain keeps the English message as a key, the adapter translates it for
the reader where it is shown. Babel's extraction finds every `N_("…")`."""

from __future__ import annotations


def N_(message: str) -> str:
    """`message`, marked for translation; translated where it is shown."""
    return message


class Words(str):
    """A parameter of a refusal that is itself words to translate (an example of what to
    type): `Words(N_("`/dispute note D-3 Legal reviewed clause 7`"))`. Said in the reader's
    language; any other `str` parameter is a fact, said as it is."""

    __slots__ = ()
