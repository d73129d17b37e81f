"""City code speed: offline verifications per second per core with the key set parsed once
(goal ≥ 10,000), issuance per second, and the online scan (verify, scan-log row, anomaly
look-ups) per second, on a fresh database.

    .venv/bin/python bench/citycode/run.py [--issue 2000] [--verify 20000] [--scans 300]
                                           [--database-url URL]

Without --database-url: a temporary SQLite file (PostgreSQL: give a postgres:// URL of a
database this script may fill; it migrates it). Verification and issuance are timed in CPU
seconds of this process (`time.process_time`: "per core", and less distorted by a busy shared
machine than the wall clock, printed beside it). A verification is the full
`citycode_verify(payload, keys, at)` an offline terminal runs: the compact-JWS pattern, the
header, the kid in the parsed key set, the ES256 signature (`cryptography` over OpenSSL),
the claims and the validity window. Issuance is `citycode_issue`: the current key's row,
claims, ES256 signing (joserfc). The scan is wall clock: one transaction each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issue", type=int, default=2_000, help="codes to issue")
    parser.add_argument("--verify", type=int, default=20_000, help="verifications to time")
    parser.add_argument("--scans", type=int, default=300, help="online scans to time")
    parser.add_argument("--database-url", help="postgres://… (default: a temporary SQLite file)")
    args = parser.parse_args()

    from bench.django_setup import django_database

    url, _tmp = django_database(args.database_url)
    from django.utils import timezone

    from hongmian.citycode.selectors import citycode_jwks
    from hongmian.citycode.services.codes import citycode_issue, holder_of
    from hongmian.citycode.services.scans import scan_resolve
    from hongmian.citycode.services.terminals import terminal_register
    from hongmian.citycode.verification import KeySet, citycode_verify
    from hongmian.core.actors import Actor
    from hongmian.identity.models import OrgUnit, Person
    from hongmian.identity.states import UnitKind

    actor = Actor.cli(None, label="bench")
    unit, _ = OrgUnit.objects.get_or_create(
        code="bench-hall", defaults={"name": "市政务服务中心", "kind": UnitKind.SERVICE_HALL}
    )
    person, _ = Person.objects.get_or_create(
        resident_id="440106199001011233", defaults={"name": "张三"}
    )
    holder = holder_of(actor=actor, person=person)
    print(f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}")

    citycode_issue(holder=holder)  # makes the key, warms the private-key cache
    n = args.issue
    cpu, wall = time.process_time(), time.perf_counter()
    payloads = [citycode_issue(holder=holder).payload for _ in range(n)]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"issuance:      {n / cpu:9.0f} /s per core ({n / wall:.0f} /s wall)")
    print(f"payload size:  {len(payloads[0])} characters")

    keys = KeySet.from_jwks(citycode_jwks())  # what a terminal does once per key-set fetch
    now = timezone.now()
    n = args.verify
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        answer = citycode_verify(payloads[i % len(payloads)], keys, now)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert answer.valid
    goal = "meets" if n / cpu >= 10_000 else "BELOW"
    print(
        f"verification:  {n / cpu:9.0f} /s per core ({n} in {cpu:.2f} CPU s; "
        f"{n / wall:.0f} /s wall) — {goal} the goal of 10,000"
    )
    # The floor: OpenSSL's P-256 verify alone, on the same machine now.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    public, message = private.public_key(), payloads[0].rsplit(".", 1)[0].encode()
    signature = private.sign(message, ec.ECDSA(hashes.SHA256()))
    cpu = time.process_time()
    for _ in range(n // 2):
        public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    cpu = time.process_time() - cpu
    print(f"bare ECDSA P-256 verify (OpenSSL): {n // 2 / cpu:9.0f} /s per core")
    cpu = time.process_time()
    for _ in range(n // 4):
        citycode_verify("not.a.code", keys, now)
    cpu = time.process_time() - cpu
    print(f"refusal (malformed): {n // 4 / cpu:9.0f} /s per core")

    terminal = terminal_register(
        actor=actor,
        code=f"bench-{int(time.time())}",
        name="压测终端",
        kind="hall",
        owner_unit=unit,
        place_name="天河区天府路1号",
        latitude="23.1291",
        longitude="113.3245",
        identity_fields=["name"],
    )
    scanner = Actor(user=terminal.account, via="api")
    fresh = [citycode_issue(holder=holder).payload for _ in range(args.scans)]
    wall = time.perf_counter()
    for payload in fresh:
        scan_resolve(actor=scanner, payload=payload)
    wall = time.perf_counter() - wall
    print(f"online scan:   {args.scans / wall:9.0f} /s wall (verify, log row, anomaly look-ups)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
