"""Connectors: each turns one kind of source into an Extract (ingest.py) behind one
interface, `extract()`. A connector raises SourceFailed (a coded ApplicationError) when the
source cannot be read — timed out, unreachable, not JSON — so that the run records the
reason; rows are fetched lazily, and a failure on a later page fails the run, which loads
nothing.

- FileConnector: a CSV/XLSX/JSONL file (an upload or a drop-folder file; .gz too) through
  the house's one table reader, core.tables.
- PostgresConnector: a read-only query on a department's PostgreSQL database, streamed with
  a server-side cursor, under a statement timeout.
- RestConnector: a JSON API with paging (a `next` link in the body, else page numbers
  until an empty page), each request under a timeout.
"""

from __future__ import annotations

import gzip
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Protocol, cast

from django.utils.translation import gettext

from hongmian.core.errors import ApplicationError
from hongmian.core.tables import Source, open_table
from hongmian.datahub.ingest import Extract

DEFAULT_TIMEOUT = 10.0
MAX_PAGES = 10_000


class SourceFailed(ApplicationError):
    """A source that could not be read. Codes: datahub.source_timeout,
    datahub.source_unreachable, datahub.source_http, datahub.source_bad_json,
    datahub.source_config."""

    status_code = 502
    default_code = "datahub.source_failed"


class Connector(Protocol):
    def extract(self) -> Extract: ...


class FileConnector:
    def __init__(self, source: Source, *, name: str | None = None) -> None:
        self.source = source
        self.name = name

    def extract(self) -> Extract:
        source: Source = self.source
        name = self.name
        if isinstance(source, str | Path) and str(source).endswith(".gz"):
            # The reader needs the inner file's suffix to choose the format.
            name = name or Path(source).name[: -len(".gz")]
            # Closed when the rows have been read (below): the reader leaves a handle it was
            # given open.
            gz: IO[bytes] = cast(IO[bytes], gzip.open(source, "rb"))  # noqa: SIM115
            handle: IO[bytes] | None = gz
            source = gz
        else:
            handle = None
        try:
            reader = open_table(source, name=name)
        except BaseException:
            if handle is not None:
                handle.close()
            raise

        def rows() -> Iterator[tuple[int, Mapping[str, Any]]]:
            try:
                for row in reader:
                    yield row.line, row.values
            finally:
                if handle is not None:
                    handle.close()

        return Extract(reader.name, reader.columns, rows())


class PostgresConnector:
    """config: {"dsn": "postgres://…", "query": "SELECT …", "timeout_seconds": 30}."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.dsn = str(config.get("dsn", ""))
        self.query = str(config.get("query", ""))
        self.timeout = float(config.get("timeout_seconds", 30))
        if not self.dsn or not self.query:
            raise SourceFailed(
                gettext("PostgreSQL 来源须配置 dsn 与 query"), code="datahub.source_config"
            )

    def extract(self) -> Extract:
        import psycopg

        try:
            conn = psycopg.connect(
                self.dsn,
                connect_timeout=max(1, int(self.timeout)),
                options=f"-c statement_timeout={int(self.timeout * 1000)}",
            )
            conn.read_only = True
            cursor = conn.cursor(name="datahub_extract")
            cursor.execute(self.query.encode())
        except psycopg.errors.QueryCanceled:
            raise SourceFailed(
                gettext("PostgreSQL 查询超时"), code="datahub.source_timeout"
            ) from None
        except psycopg.Error as exc:
            raise SourceFailed(
                gettext("PostgreSQL 来源无法读取：%(exc)s") % {"exc": str(exc).strip()[:200]},
                code="datahub.source_unreachable",
            ) from None
        columns = tuple(d.name for d in cursor.description or ())

        def rows() -> Iterator[tuple[int, Mapping[str, Any]]]:
            try:
                for number, record in enumerate(cursor, start=1):
                    yield number, dict(zip(columns, record, strict=True))
            except psycopg.errors.QueryCanceled:
                raise SourceFailed(
                    gettext("PostgreSQL 查询超时"), code="datahub.source_timeout"
                ) from None
            finally:
                cursor.close()
                conn.close()

        return Extract(f"postgres:{self.query[:60]}", columns, rows())


class RestConnector:
    """config: {"url": …, "records": "data" (the list's key; "" for a top-level list),
    "next": "next" (the key of the next page's URL, if the API gives one), "page_param":
    "page", "size_param": "size", "page_size": 100, "timeout_seconds": 10}."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.url = str(config.get("url", ""))
        if not self.url.startswith(("http://", "https://")):
            raise SourceFailed(
                gettext("REST 来源须配置 http(s) 地址"), code="datahub.source_config"
            )
        self.records = str(config.get("records", "data"))
        self.next_key = str(config.get("next", "next"))
        self.page_param = str(config.get("page_param", "page"))
        self.size_param = str(config.get("size_param", "size"))
        self.page_size = int(config.get("page_size", 100))
        self.timeout = float(config.get("timeout_seconds", DEFAULT_TIMEOUT))

    def _get(self, url: str) -> Any:
        # A `next` link comes from the source: it too must be http(s), never file: or ftp:.
        if not url.startswith(("http://", "https://")):
            raise SourceFailed(
                gettext("接口给出的下一页地址不是 http(s)：%(url)s") % {"url": url[:200]},
                code="datahub.source_config",
            )
        # S310: the scheme is checked just above.
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise SourceFailed(
                gettext("接口返回 HTTP %(status)s：%(url)s") % {"status": exc.code, "url": url},
                code="datahub.source_http",
            ) from None
        except TimeoutError:
            raise self._timeout(url) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise self._timeout(url) from None
            raise SourceFailed(
                gettext("接口无法连接：%(url)s（%(reason)s）") % {"url": url, "reason": exc.reason},
                code="datahub.source_unreachable",
            ) from None
        try:
            return json.loads(body)
        except ValueError:
            raise SourceFailed(
                gettext("接口返回的不是 JSON：%(url)s") % {"url": url},
                code="datahub.source_bad_json",
            ) from None

    def _timeout(self, url: str) -> SourceFailed:
        return SourceFailed(
            gettext("接口 %(seconds)s 秒内未响应：%(url)s") % {"seconds": self.timeout, "url": url},
            code="datahub.source_timeout",
        )

    def _page_url(self, page: int) -> str:
        parts = urllib.parse.urlsplit(self.url)
        query = dict(urllib.parse.parse_qsl(parts.query))
        query[self.page_param] = str(page)
        query[self.size_param] = str(self.page_size)
        return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))

    def _records(self, body: Any, url: str) -> list[Mapping[str, Any]]:
        items = body.get(self.records) if self.records and isinstance(body, dict) else body
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise SourceFailed(
                gettext("接口返回中没有记录列表 %(key)s：%(url)s")
                % {"key": self.records, "url": url},
                code="datahub.source_bad_json",
            )
        return items

    def pages(self) -> Iterator[list[Mapping[str, Any]]]:
        url: str | None = self._page_url(1)
        page = 1
        while url is not None and page <= MAX_PAGES:
            body = self._get(url)
            items = self._records(body, url)
            if not items:
                return
            yield items
            following = body.get(self.next_key) if isinstance(body, dict) else None
            page += 1
            if isinstance(following, str) and following:
                url = urllib.parse.urljoin(url, following)
            elif len(items) < self.page_size:
                return
            else:
                url = self._page_url(page)

    def extract(self) -> Extract:
        pages = self.pages()
        first = next(pages, [])
        columns = tuple(first[0].keys()) if first else None

        def rows() -> Iterator[tuple[int, Mapping[str, Any]]]:
            number = 0
            for batch in (first, *[]):
                for record in batch:
                    number += 1
                    yield number, record
            for batch in pages:
                for record in batch:
                    number += 1
                    yield number, record

        return Extract(self.url, columns or (), rows())
