"""Eight calls race for a grant's last rows of the day on real PostgreSQL: together they get
exactly the quota, never more (core.ratelimit's one upsert counts the rows of each call)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from hongmian.core.errors import ApplicationError
from hongmian.datahub.models import Dataset, SharingCall
from hongmian.datahub.services.sharing import dataset_rows_fetch
from hongmian.datahub.states import SharingType
from hongmian.datahub.tests.conftest import Org, actor_of, make_dataset
from hongmian.datahub.tests.test_sharing import RESIDENTS, _approve, _load, _request

CALLS = 8
QUOTA = 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write with one database lock: the race needs PostgreSQL",
)
def test_racing_calls_share_one_quota(org: Org) -> None:
    dataset: Dataset = make_dataset(
        org, code="HZ-RESIDENTS", schema=RESIDENTS, sharing=SharingType.CONDITIONAL
    )
    _load(dataset)
    _approve(org, _request(org, dataset, row_filter={}), quota_rows_per_day=QUOTA)
    barrier = threading.Barrier(CALLS)

    def call(_: int) -> int | str:
        try:
            barrier.wait(timeout=30)
            page = dataset_rows_fetch(actor=actor_of(org.police_steward), code=dataset.code, size=2)
            return len(page.rows)
        except ApplicationError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=CALLS) as pool:
        outcomes = Counter(pool.map(call, range(CALLS)))
    served = sum(n * k for n, k in outcomes.items() if isinstance(n, int))
    assert served == QUOTA
    assert outcomes["datahub.quota_exceeded"] == CALLS - outcomes[2] - outcomes[1]
    assert SharingCall.objects.count() == CALLS
