"""One JSON object per log line, with the time in UTC, for events an auditor reads."""

import json
import logging
from datetime import UTC, datetime


class UtcJsonFormatter(logging.Formatter):
    """`{"time": "…Z", "level", "logger", "event", …fields}` on one line.

    The message is the event name; the fields come from `extra={"fields": {...}}`. JSON
    escapes newlines and control characters, so a crafted user name cannot forge a line.
    """

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC)
        line = {
            "time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
