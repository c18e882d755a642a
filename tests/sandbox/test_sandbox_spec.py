"""The spec data: extraction from Slack's OpenAPI file and the checks built on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sandbox import spec
from bot.sandbox.extract_spec import extract, main, render

SHARED_SPEC = Path("/work/shared/specs/slack_web_openapi_v2.json")


def test_extract_drops_token_and_splits_required() -> None:
    document = {
        "paths": {
            "/chat.postMessage": {
                "post": {
                    "parameters": [
                        {"name": "token", "in": "header", "required": True},
                        {"name": "channel", "in": "formData", "required": True},
                        {"name": "text", "in": "formData"},
                    ]
                }
            },
            "/users.info": {"get": {"parameters": [{"name": "user", "in": "query"}]}},
        }
    }
    assert extract(document) == {
        "chat.postMessage": {"http": ["POST"], "required": ["channel"], "optional": ["text"]},
        "users.info": {"http": ["GET"], "required": [], "optional": ["user"]},
    }


def test_committed_data_covers_every_method_of_the_spec() -> None:
    methods = spec.methods()
    assert len(methods) >= 174
    assert methods["chat.postMessage"].required == {"channel"}
    assert "token" not in methods["views.open"].required
    assert methods["views.open"].required == {"trigger_id", "view"}


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="Slack's OpenAPI file is not available")
def test_committed_data_is_what_the_script_produces(tmp_path: Path) -> None:
    output = tmp_path / "methods.json"
    assert main([str(SHARED_SPEC), str(output)]) == 0
    packaged = Path(spec.__file__).with_name(spec.SPEC_RESOURCE).read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == packaged
    assert render(json.loads(packaged)) == packaged


def test_check_call() -> None:
    assert spec.check_call("chat.postMessage", {"channel": "C1", "team_id": "T1"}) == []
    assert spec.check_call("chat.postMessage", {"text": "hi"}) == [
        "chat.postMessage: missing required argument 'channel'"
    ]
    assert spec.check_call("views.open", {"view": {}, "trigger_id": ""}) == [
        "views.open: missing required argument 'trigger_id'"
    ]
    assert spec.check_call("chat.teleport", {}) == [
        "chat.teleport: unknown method (not in Slack's Web API spec)"
    ]
