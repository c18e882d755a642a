"""Parley's logs: text for a terminal, or one JSON object a line for a log pipeline.

`PARLEY_LOG_FORMAT=json` writes each record as a JSON object with `time`, `level`, `logger`
and `message`, plus the record's own fields (`extra={"fields": {...}}`, as the request line
gives: `request`, `workspace`, `user`, `status`, `latency_ms`, `retry`) as keys of their own.
Nothing logs what anybody wrote; as a last guard, anything shaped like a Slack token is
blanked in every record, whatever the format.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Bot, user, app-level, refresh and configuration tokens.
_TOKEN = re.compile(r"\b(xox[abeoprs]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+")
_RESERVED = frozenset({"time", "level", "logger", "message", "exception"})


def redact(text: str) -> str:
    return _TOKEN.sub(lambda m: f"{m.group(1)}-[redacted]", text)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a record's `fields` become keys beside the message."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                if key not in _RESERVED:
                    line[str(key)] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = redact(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)


def setup_logging(*, level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Route every logger to one handler on stderr, in the format asked for."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # slack_sdk logs request bodies at DEBUG; keep them out even at debug level.
    logging.getLogger("slack_sdk").setLevel(logging.INFO)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
