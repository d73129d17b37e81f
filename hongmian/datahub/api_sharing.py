"""`/api/datahub/datasets/{code}/rows`: shared rows for another department's programs,
through the datahub Router (api.py). Credentials are the house's API keys: the key of an
account of the consumer unit acts for that unit, and reads what the unit's grant allows
(decision 0081). No grant: 404, as for a code that names nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query

from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.datahub.api import router
from hongmian.datahub.schemas import RowsFilterIn, RowsOut
from hongmian.datahub.services.sharing import dataset_rows_fetch


@router.get(
    "/datasets/{code}/rows",
    response={200: RowsOut, **errors(403, 404, 429)},
    summary="调用共享数据（按授权字段、行过滤与分级脱敏）",
)
def dataset_rows(request: HttpRequest, code: str, filters: Query[RowsFilterIn]) -> dict[str, Any]:
    """One page of rows, ordered by primary key: only the granted fields, the grant's row
    filter applied, each field masked by its grade (`fields[].technique`). Every call is
    recorded; rows count against the grant's daily quota (429 `datahub.quota_exceeded`);
    a grant past its period is 403 `datahub.grant_expired`."""
    result = dataset_rows_fetch(
        actor=Actor.from_request(request, via="api"),
        code=code[:64],
        page=filters.page,
        size=filters.size,
    )
    return {
        "dataset": result.dataset,
        "count": result.count,
        "page": result.page,
        "size": result.size,
        "fields": [{"name": n, "technique": t.value} for n, t in result.techniques.items()],
        "quota_left": result.quota_left,
        "rows": result.rows,
    }
