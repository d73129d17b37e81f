"""The queues' `q`: a substring of the order's number, title or text (and, on the centre's
search, its address or the caller's phone), case-insensitive — exactly `icontains`.

On PostgreSQL a `LIKE '%…%'` reads every order (0.6 s at a million), and pg_trgm cannot
index Chinese under the server's C locale. So the orders carry a GIN index over the set
of their text's character bigrams (`hotline_order_grams(number, title, content, address)`,
SQL functions made by migration 0010_perf11_queue_search): a query of two characters or
more first asks the index for the orders whose bigrams include all of the query's, then
the same `icontains` as before re-checks each of them. Every substring's bigrams are
bigrams of its field, so the index never drops a match; the re-check drops the orders
whose bigrams only happen to be there (decision 0037). The index is over an expression of
the columns themselves, so an edited title or text is searchable at once, with no copy to
keep. A one-character query has no bigram: it is the plain scan. SQLite: the plain scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Expression, F, Q

# The SQL both sides call, so that upper-casing and splitting are the database's own on the
# indexed text and on the query alike (Python's str.upper() is not PostgreSQL's upper()).
# hotline_order_grams has an SQL-standard body (`RETURN …`, PostgreSQL 14+): its call of
# hotline_text_grams is bound when it is created, so pg_restore — which runs with an empty
# search_path — can rebuild the index over it (a quoted `AS $$…$$` body is looked up again
# by name then, and the restore failed: decision 0059). Every `migrate` replaces them.
GRAMS_FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION hotline_text_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}'::text[])
    FROM generate_series(1, length(t) - 1) AS i
$$;
CREATE OR REPLACE FUNCTION hotline_order_grams(
    number text, title text, content text, address text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN hotline_text_grams(upper(coalesce(number, '') || chr(10) || coalesce(title, '')
    || chr(10) || coalesce(content, '') || chr(10) || coalesce(address, '')));
"""
GRAMS_INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS hotline_order_text_grams ON hotline_workorder "
    "USING gin (hotline_order_grams(number, title, content, address))"
)
GRAMS_DROP_SQL = (
    "DROP INDEX IF EXISTS hotline_order_text_grams; "
    "DROP FUNCTION IF EXISTS hotline_order_grams(text, text, text, text); "
    "DROP FUNCTION IF EXISTS hotline_text_grams(text);"
)


def text_search_index_ensure(*, using: str = "default") -> None:
    """Create the bigram functions and the GIN index if missing (PostgreSQL only;
    idempotent). Migration 0010_perf11_queue_search calls it, and so does every `migrate`
    (apps.py): the test suite builds its databases without migrations."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(GRAMS_FUNCTIONS_SQL)
        cursor.execute(GRAMS_INDEX_SQL)


class _HasAllGrams(Expression):
    """`hotline_order_grams(<the order's columns>) @> hotline_text_grams(upper(q))`: the
    expression of the GIN index on one side, the query's bigrams (folded to a constant
    when planned) on the other. PostgreSQL only."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, q: str) -> None:
        super().__init__()
        self.q = q
        self.columns = [F("number"), F("title"), F("content"), F("address")]

    def get_source_expressions(self) -> list[Any]:
        return self.columns

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.columns = list(exprs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        parts = [compiler.compile(c) for c in self.columns]
        sql = ", ".join(p[0] for p in parts)
        params = [v for p in parts for v in p[1]]
        return (
            f"hotline_order_grams({sql}) @> hotline_text_grams(upper(%s))",
            [*params, self.q],
        )


def text_index_used(q: str, *, using: str) -> bool:
    """Whether `order_text_q(q, using=using)` asks the bigram index (PostgreSQL, two
    characters or more)."""
    return len(q) >= 2 and connections[using].vendor == "postgresql"


def order_text_q(
    q: str, *, phone: str = "", address: bool = False, using: str, indexed: bool = True
) -> Q:
    """Orders whose number, title or text (and address, when `address`) contain `q`, or —
    when `phone` is given — whose caller's phone is `phone`. `using`: the database the
    query goes to (the bigram index is PostgreSQL's). `indexed` false: the substring test
    alone, with no bigram condition — the same rows, but a plan that walks the list's own
    order and stops at a page, for a word known to be in many orders (decision 0051)."""
    text = Q(number__icontains=q) | Q(title__icontains=q) | Q(content__icontains=q)
    if address:
        text |= Q(address__icontains=q)
    if indexed and text_index_used(q, using=using):
        if address and len(q) == 2 and "\n" not in q:
            # Two characters (most Chinese words) over all four fields: the bigram is in
            # the set exactly when it is in one of the fields (the fields are joined by a
            # newline, which it does not hold), so the index alone answers — and the
            # planner's estimate is the bigram's own frequency, not a guess for the LIKEs.
            text = Q(_HasAllGrams(q))
        else:
            text = Q(_HasAllGrams(q)) & text
    if phone:
        text |= Q(caller_phone=phone)
    return text
