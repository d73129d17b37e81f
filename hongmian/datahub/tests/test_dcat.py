"""The DCAT export, read back by rdflib as any harvester would: Turtle and JSON-LD parse, a
SPARQL query counts the datasets, and a 不予共享 dataset's fields are not published."""

from __future__ import annotations

import pytest
from django.test import Client
from rdflib import Graph

from hongmian.datahub.states import Frequency, SharingType
from hongmian.datahub.tests.conftest import PERMITS, Org, make_dataset

COUNT = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?c a dcat:Catalog ; dcat:dataset ?d . ?d a dcat:Dataset }
"""
COLUMNS = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX csvw: <http://www.w3.org/ns/csvw#>
SELECT ?code ?name WHERE {
  ?d dct:identifier ?code ; dcat:distribution ?x . ?x csvw:tableSchema/csvw:column/csvw:name ?name
}
"""


@pytest.fixture
def catalogue(org: Org) -> None:
    make_dataset(
        org,
        themes=["城市建设"],
        keywords=["房屋", "楼栋"],
        update_frequency=Frequency.DAILY,
        summary="全市房屋建筑",
    )
    make_dataset(
        org,
        code="HZ-PERMITS",
        schema=PERMITS,
        name="施工许可",
        sharing=SharingType.CONDITIONAL,
        upstream=["HZ-BUILDINGS"],
    )
    make_dataset(
        org, code="GA-HOUSEHOLD", name="户籍人口", unit=org.police, sharing=SharingType.NOT_SHARED
    )


@pytest.mark.parametrize(("path", "fmt"), [("dcat.ttl", "turtle"), ("dcat.jsonld", "json-ld")])
def test_dcat_parses_and_counts_the_datasets(catalogue: None, path: str, fmt: str) -> None:
    response = Client().get(f"/api/datahub/{path}")
    assert response.status_code == 200
    graph = Graph().parse(data=response.content.decode(), format=fmt)
    assert int(next(iter(graph.query(COUNT)))[0]) == 3
    columns = {(str(c), str(n)) for c, n in graph.query(COLUMNS)}
    assert ("HZ-BUILDINGS", "owner_phone") in columns
    assert ("HZ-PERMITS", "permit_no") in columns
    assert not [c for c in columns if c[0] == "GA-HOUSEHOLD"]  # 不予共享: no field details
    turtle = graph.serialize(format="turtle")
    assert "frequency/DAILY" in turtle
    assert "access-right/NON_PUBLIC" in turtle
    assert "楼栋" in turtle
    assert "广州市住房和城乡建设局" in turtle
    assert "wasDerivedFrom" in turtle
    assert "important" not in turtle
    assert "personal" not in turtle
