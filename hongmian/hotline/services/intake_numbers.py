"""Work order numbers: `GZ-20261128-000123` — the prefix, the Beijing date of intake and a
running counter.

On PostgreSQL the counter is a SEQUENCE, so concurrent intakes never wait for one another;
on SQLite (one writer at a time anyway) it is the NumberCounter row. The counter does not
restart each day and may skip values (a rolled-back intake uses one up): the number
identifies an order, it does not count them (docs/decisions/0007-work-order-numbers.md).

`work_order_number_next` and `work_order_number_sequence_ensure` are public (imported from
here); `NUMBER_SQL` and `number_prefix` are the PostgreSQL form intake_store.py puts into its
single INSERT.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from hongmian.core.calendar import CALENDAR_TZ
from hongmian.hotline.models import NumberCounter

# The PostgreSQL sequence behind order numbers (created by migration 0002, and after every
# `migrate` by apps.py so that databases built without migrations — the tests' — have it).
NUMBER_SEQUENCE = "hotline_work_order_number_seq"
NUMBER_COUNTER = "work_order"


def work_order_number_sequence_ensure(*, using: str = "default") -> None:
    """Create the number sequence if it is missing (PostgreSQL only; idempotent)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {NUMBER_SEQUENCE}")


def _next_counter(using: str) -> int:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [NUMBER_SEQUENCE])
            return int(cursor.fetchone()[0])
    # Elsewhere (SQLite) writers are serialised by the database, so a counter row is safe
    # and costs nothing that the database does not already impose.
    with transaction.atomic(using=using):
        counters = NumberCounter.objects.using(using).filter(name=NUMBER_COUNTER)
        if not counters.update(value=F("value") + 1):
            NumberCounter.objects.using(using).get_or_create(name=NUMBER_COUNTER)
            counters.update(value=F("value") + 1)
        return int(counters.values_list("value", flat=True).get())


def work_order_number_next(*, using: str = "default") -> str:
    """A new, never used order number: PREFIX-YYYYMMDD-NNNNNN (Beijing date; the counter
    widens past six digits when it must)."""
    return f"{number_prefix()}{_next_counter(using):06d}"


# An order number made by PostgreSQL from `n`, a value of NUMBER_SEQUENCE that the statement
# names so: the prefix and Beijing date (one parameter, `number_prefix()`), then `n` padded to
# six digits and widening past them — the same text as `work_order_number_next`.
NUMBER_SQL = "%s || lpad(n::text, greatest(6, length(n::text)), '0')"


def number_prefix() -> str:
    """What every number allocated now starts with: PREFIX-YYYYMMDD- (Beijing date)."""
    prefix = settings.HONGMIAN_HOTLINE_NUMBER_PREFIX
    # Beijing time whatever TIME_ZONE says: the number must match the caller's calendar.
    day = timezone.localdate(timezone.now(), timezone=CALENDAR_TZ)
    return f"{prefix}-{day:%Y%m%d}-"
