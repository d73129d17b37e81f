"""One HTTP call to a partner (urllib, JSON both ways, a timeout). A network failure or a
5xx is Unreachable (the job retries); a 4xx is the partner's coded answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from hongmian.crosscity.services.partners import timeout

MAX_ANSWER_BYTES = 256_000


class Unreachable(Exception):
    """The partner did not answer usefully; try again later."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]


def post_json(url: str, body: dict[str, Any]) -> Answer:
    data = json.dumps(body, ensure_ascii=False).encode()
    # http(s) only: partner_add refuses any other scheme.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:  # noqa: S310
            status, raw = response.status, response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read(MAX_ANSWER_BYTES)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise Unreachable(str(exc)[:300]) from None
    if status >= 500:
        raise Unreachable(f"HTTP {status}: {raw[:300]!r}")
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        raise Unreachable(f"HTTP {status}: not JSON") from None
    return Answer(status, parsed if isinstance(parsed, dict) else {})
