"""The load generator: N client threads, each on its own keep-alive connection, posting
work orders with a unique Idempotency-Key until the time is up. A share of the accepted
requests is sent again with the same key and body, as a client that lost the answer would;
the retry must return the same order (200), never a second one.

Standard library only (http.client + threads): the numbers then measure the server, not a
load tool, and nothing has to be installed to reproduce them.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from dataclasses import dataclass, field


@dataclass
class ClientResult:
    latencies_ms: list[float] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # key → number (201)
    replayed: dict[str, str] = field(default_factory=dict)  # key → number of the retry (200)
    errors: dict[str, int] = field(default_factory=dict)  # "status 500" / exception name → count
    requests: int = 0


@dataclass
class LoadResult:
    seconds: float
    clients: list[ClientResult]

    @property
    def latencies_ms(self) -> list[float]:
        return [x for c in self.clients for x in c.latencies_ms]

    @property
    def created(self) -> dict[str, str]:
        return {k: v for c in self.clients for k, v in c.created.items()}

    @property
    def replayed(self) -> dict[str, str]:
        return {k: v for c in self.clients for k, v in c.replayed.items()}

    @property
    def errors(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.clients:
            for k, v in c.errors.items():
                out[k] = out.get(k, 0) + v
        return out

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.clients)


def _post(
    conn: http.client.HTTPConnection, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    conn.request("POST", "/api/hotline/work-orders", body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _post_batch(
    conn: http.client.HTTPConnection, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    conn.request("POST", "/api/hotline/work-orders/batch", body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _batch_client(
    *,
    index: int,
    host: str,
    port: int,
    key: str,
    bodies: list[bytes],
    deadline: float,
    retry_share: float,
    run_label: str,
    out: ClientResult,
    start: threading.Barrier,
    batch: int,
) -> None:
    """As `_client`, but `batch` orders per request (each with its own key); a retry sends
    the whole batch again, and every item must answer with its first order."""
    rng = random.Random(index)  # noqa: S311  # which requests to retry; not a secret
    conn = http.client.HTTPConnection(host, port, timeout=60)
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "Connection": "keep-alive",
    }
    seq = 0
    start.wait()
    clock = time.perf_counter
    while clock() < deadline:
        keys, items = [], []
        for _ in range(batch):
            seq += 1
            idem = f"{run_label}-{index}-{seq}"
            body = bodies[(index * 7919 + seq) % len(bodies)]
            keys.append(idem)
            items.append(b'{"idempotency_key":"' + idem.encode() + b'",' + body[1:])
        payload = b'{"orders":[' + b",".join(items) + b"]}"
        attempts = 2 if rng.random() < retry_share else 1
        for _attempt in range(attempts):
            t0 = clock()
            try:
                status, answer = _post_batch(conn, payload, headers)
            except (OSError, http.client.HTTPException) as exc:
                name = type(exc).__name__
                out.errors[name] = out.errors.get(name, 0) + 1
                conn.close()
                continue
            out.latencies_ms.append((clock() - t0) * 1000)
            out.requests += 1
            if status != 200:
                label = f"status {status}"
                out.errors[label] = out.errors.get(label, 0) + 1
                continue
            for idem, result in zip(keys, json.loads(answer)["results"], strict=True):
                if result["status"] == "error":
                    label = "item " + result["error"]["code"]
                    out.errors[label] = out.errors.get(label, 0) + 1
                elif result["status"] == "created" or idem not in out.created:
                    out.created[idem] = result["number"]
                else:
                    out.replayed[idem] = result["number"]
    conn.close()


def _client(
    *,
    index: int,
    host: str,
    port: int,
    key: str,
    bodies: list[bytes],
    deadline: float,
    retry_share: float,
    run_label: str,
    out: ClientResult,
    start: threading.Barrier,
) -> None:
    rng = random.Random(index)  # noqa: S311  # which requests to retry; not a secret
    conn = http.client.HTTPConnection(host, port, timeout=30)
    base = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "Connection": "keep-alive",
    }
    seq = 0
    start.wait()
    clock = time.perf_counter
    while clock() < deadline:
        seq += 1
        idem = f"{run_label}-{index}-{seq}"
        body = bodies[(index * 7919 + seq) % len(bodies)]
        headers = {**base, "Idempotency-Key": idem}
        attempts = 2 if rng.random() < retry_share else 1
        for attempt in range(attempts):
            t0 = clock()
            try:
                status, payload = _post(conn, body, headers)
            except (OSError, http.client.HTTPException) as exc:
                # A broken connection: reconnect; the next attempt reuses the key, exactly
                # what a real client does, so nothing can be created twice.
                name = type(exc).__name__
                out.errors[name] = out.errors.get(name, 0) + 1
                conn.close()
                continue
            out.latencies_ms.append((clock() - t0) * 1000)
            out.requests += 1
            if status in (200, 201):
                number = json.loads(payload)["number"]
                target = out.created if attempt == 0 and status == 201 else out.replayed
                if status == 200 and idem not in out.created:
                    # The first answer was lost (an error above); the order is still one.
                    target = out.created
                target[idem] = number
            else:
                label = f"status {status}"
                out.errors[label] = out.errors.get(label, 0) + 1
    conn.close()


def run_load(
    *,
    host: str,
    port: int,
    key: str,
    bodies: list[bytes],
    clients: int,
    seconds: float,
    retry_share: float,
    run_label: str,
    batch: int = 0,
) -> LoadResult:
    results = [ClientResult() for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    deadline_box: list[float] = []

    threads = []
    # The deadline is fixed once every thread is ready, so connection setup is not timed.
    for i in range(clients):
        t = threading.Thread(
            target=lambda i=i: (_batch_client if batch else _client)(
                index=i,
                host=host,
                port=port,
                key=key,
                bodies=bodies,
                deadline=deadline_box[0],
                retry_share=retry_share,
                run_label=run_label,
                out=results[i],
                start=start,
                **({"batch": batch} if batch else {}),
            ),
            daemon=True,
        )
        threads.append(t)
    deadline_box.append(time.perf_counter() + seconds + 0.05)
    began = time.perf_counter()
    for t in threads:
        t.start()
    start.wait()
    for t in threads:
        t.join()
    return LoadResult(seconds=time.perf_counter() - began, clients=results)
