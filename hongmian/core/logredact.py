"""Secrets that ride in a URL never reach a log file (issue 16, item 4; decision 0057).

Open311 clients may send their key as `?api_key=…` (the GeoReport spec allows it). A
request line is logged by runserver (the `django.server` logger), by gunicorn's access log
and by anything that logs a full URL; each goes through `redact` first:
- `RedactSecrets`, a logging filter on every handler of config/settings.py LOGGING;
- `GunicornLogger`, gunicorn's logger class (config/gunicorn.py), which redacts the access
  log's atoms (request line, query string, referer) before they are formatted.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as _GunicornBaseLogger

# Query parameters whose value is a credential. Matched after ? or & (or ; and a space for
# a URL quoted in prose), any case; the value runs to the next separator.
SECRET_PARAMETERS = ("api_key", "apikey", "access_token", "token", "password")
_PATTERN = re.compile(
    r"(?i)(?P<name>(?:^|[?&;\s])(?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&\s\"';#]*"
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """`text` with the value of every secret query parameter replaced by [redacted]."""
    return _PATTERN.sub(lambda m: m.group("name") + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record whose message carries a secret parameter; passes every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class GunicornLogger(_GunicornBaseLogger):
    """gunicorn's logger with the access log's atoms redacted."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}


__all__ = ["REDACTED", "GunicornLogger", "RedactSecrets", "redact"]
