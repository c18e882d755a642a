"""Regenerate ``spec_methods.json`` from Slack's OpenAPI v2 description of the Web API.

Usage::

    python -m bot.sandbox.extract_spec /path/to/slack_web_openapi_v2.json [output.json]

The output defaults to ``spec_methods.json`` next to this module.  For every path such as
``/chat.postMessage`` it records the HTTP verbs the spec lists and the argument names,
split into required and optional.  ``token`` is left out: the bot token travels in the
``Authorization`` header, and the spec marks it required inconsistently.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HTTP_VERBS = ("get", "post", "put", "patch", "delete")
DEFAULT_OUTPUT = Path(__file__).with_name("spec_methods.json")


def extract(spec: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Reduce the OpenAPI document to ``{method: {"http", "required", "optional"}}``."""
    methods: dict[str, dict[str, list[str]]] = {}
    paths: dict[str, Any] = spec.get("paths", {})
    for path in sorted(paths):
        operations = paths[path]
        if not isinstance(operations, dict):
            continue
        method = path.lstrip("/")
        verbs: list[str] = []
        required: list[str] = []
        optional: list[str] = []
        for verb in HTTP_VERBS:
            operation = operations.get(verb)
            if not isinstance(operation, dict):
                continue
            verbs.append(verb.upper())
            for parameter in operation.get("parameters", []):
                name = parameter.get("name")
                if not isinstance(name, str) or name == "token":
                    continue
                if parameter.get("required") is True:
                    if name not in required:
                        required.append(name)
                    if name in optional:
                        optional.remove(name)
                elif name not in required and name not in optional:
                    optional.append(name)
        methods[method] = {
            "http": verbs,
            "required": sorted(required),
            "optional": sorted(optional),
        }
    return methods


def render(methods: dict[str, dict[str, list[str]]]) -> str:
    """One method per line: compact, yet readable and diff-friendly."""
    lines = [
        f"  {json.dumps(name)}: {json.dumps(entry, sort_keys=True)}"
        for name, entry in sorted(methods.items())
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or len(args) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    output = Path(args[1]) if len(args) == 2 else DEFAULT_OUTPUT
    methods = extract(spec)
    output.write_text(render(methods), encoding="utf-8")
    print(f"wrote {len(methods)} methods to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
