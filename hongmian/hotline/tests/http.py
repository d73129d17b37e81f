"""Real HTTP against pytest-django's `live_server`, with nothing but the standard library.

    api = HttpClient(live_server.url, token=key)
    response = api.post("/api/hotline/work-orders", json={...}, headers={"Idempotency-Key": "k1"})
    assert response.status == 201, response.text
    response.json(), response.xml()        # the body parsed (xml: our own output, trusted)

Proxies from the environment are ignored: a test talks to its own server and nothing else.
"""

from __future__ import annotations

import json as jsonlib
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    def xml(self) -> ET.Element:
        # Only ever our own server's output, never input from outside: ElementTree is fine.
        return ET.fromstring(self.body)  # noqa: S314


class HttpClient:
    def __init__(self, base_url: str, *, token: str | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"not an HTTP address: {base_url}")
        self.base_url = base_url.rstrip("/")
        self.token = token

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: dict[str, str] | None = None,
        data: bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 20,
    ) -> HttpResponse:
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        sent = dict(headers or {})
        if self.token and "Authorization" not in sent:
            sent["Authorization"] = f"Bearer {self.token}"
        if json is not None:
            data = jsonlib.dumps(json, ensure_ascii=False).encode("utf-8")
            sent.setdefault("Content-Type", "application/json")
        elif form is not None:
            data = urllib.parse.urlencode(form).encode("utf-8")
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        # The scheme is checked in __init__: only http(s) is ever opened.
        request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                return HttpResponse(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            with error:
                return HttpResponse(error.code, dict(error.headers), error.read())

    def get(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.request("POST", path, **kwargs)


def api_key_for(user: Any) -> str:
    """A fresh API key acting as `user`, issued the way `hongmian apikey create` does."""
    from hongmian.core.actors import Actor
    from hongmian.identity.services import api_key_create

    return api_key_create(actor=Actor.cli(None, label="test"), user=user, name="test")[1]


def as_user(live_server: Any, user: Any) -> HttpClient:
    """A client of `live_server` that authenticates as `user` with an API key."""
    return HttpClient(live_server.url, token=api_key_for(user))
