"""Which Web API methods exist and which arguments they require, per Slack's published spec.

The data comes from ``spec_methods.json``, extracted from Slack's OpenAPI v2 description
(2020) by ``python -m bot.sandbox.extract_spec``.  Methods Slack added later can be declared
in ``SUPPLEMENT`` below, in the same shape, e.g.::

    SUPPLEMENT = {
        "bookmarks.add": {"http": ["POST"], "required": ["channel_id", "title", "type"],
                          "optional": ["emoji", "entity_id", "link", "parent_id"]},
    }

A supplement entry replaces the spec's entry of the same name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SPEC_RESOURCE = "spec_methods.json"

# Methods Parley uses that the 2020 spec does not describe: Slack's current file upload.
SUPPLEMENT: dict[str, dict[str, list[str]]] = {
    "files.getUploadURLExternal": {
        "http": ["GET", "POST"],
        "required": ["filename", "length"],
        "optional": ["alt_txt", "snippet_type"],
    },
    "files.completeUploadExternal": {
        "http": ["POST"],
        "required": ["files"],
        "optional": ["channel_id", "channels", "initial_comment", "thread_ts", "blocks"],
    },
}

# Arguments that are never "missing": the token travels in the Authorization header.
IMPLICIT_ARGUMENTS = frozenset({"token"})


@dataclass(frozen=True)
class MethodSpec:
    name: str
    http: tuple[str, ...]
    required: frozenset[str]
    optional: frozenset[str]

    @property
    def arguments(self) -> frozenset[str]:
        return self.required | self.optional


def _to_spec(name: str, entry: Mapping[str, Any]) -> MethodSpec:
    return MethodSpec(
        name=name,
        http=tuple(str(v) for v in entry.get("http", ())),
        required=frozenset(str(v) for v in entry.get("required", ())) - IMPLICIT_ARGUMENTS,
        optional=frozenset(str(v) for v in entry.get("optional", ())) - IMPLICIT_ARGUMENTS,
    )


@cache
def methods() -> Mapping[str, MethodSpec]:
    """All known methods: the extracted spec plus ``SUPPLEMENT``."""
    raw_text = (
        resources.files(__package__ or "bot.sandbox")
        .joinpath(SPEC_RESOURCE)
        .read_text(encoding="utf-8")
    )
    raw: dict[str, Any] = json.loads(raw_text)
    raw.update(SUPPLEMENT)
    return {name: _to_spec(name, entry) for name, entry in raw.items()}


def method_spec(method: str) -> MethodSpec | None:
    return methods().get(method)


def is_known(method: str) -> bool:
    return method in methods()


def _is_present(value: Any) -> bool:
    return value is not None and value != ""


def check_call(method: str, args: Mapping[str, Any]) -> list[str]:
    """Problems Slack would reject this call for: unknown method, missing required arguments.

    Extra arguments are fine (Bolt adds ``team_id`` to every call, for instance).
    """
    spec = method_spec(method)
    if spec is None:
        return [f"{method}: unknown method (not in Slack's Web API spec)"]
    missing = sorted(name for name in spec.required if not _is_present(args.get(name)))
    return [f"{method}: missing required argument '{name}'" for name in missing]
