"""The catalogue as DCAT-AP style RDF (Turtle and JSON-LD), built with rdflib.

What the public sees (decision 0076): every dataset's catalogue entry — title, summary,
provider, themes, keywords, frequency, sharing and open type with their conditions and basis,
lineage, version and last update — because the catalogue itself is public (GB/T 21063
lists resources that are not shared too, so that the public knows they exist). Field
details (a CSVW table schema on the distribution: names, titles, types) only for datasets
that are shared; a 不予共享 dataset's structure stays inside. Never published: field grades,
personal-data flags, constraints, owners and officers (people), row counts, sources.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, SKOS, XSD

from hongmian.datahub.models import Dataset
from hongmian.datahub.states import FREQUENCY_EU, SharingType

CSVW = Namespace("http://www.w3.org/ns/csvw#")
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
ACCESS = Namespace("http://publications.europa.eu/resource/authority/access-right/")
TABLE_SCHEMA = URIRef("https://specs.frictionlessdata.io/table-schema/")
ZH = "zh-Hans"

# dct:accessRights by sharing type (the EU access-right vocabulary DCAT-AP names).
_ACCESS = {
    SharingType.UNCONDITIONAL: ACCESS.PUBLIC,
    SharingType.CONDITIONAL: ACCESS.RESTRICTED,
    SharingType.NOT_SHARED: ACCESS.NON_PUBLIC,
}
# Table Schema types as XSD datatypes for the CSVW columns.
_XSD = {
    "string": XSD.string,
    "integer": XSD.integer,
    "number": XSD.decimal,
    "boolean": XSD.boolean,
    "date": XSD.date,
    "datetime": XSD.dateTime,
    "time": XSD.time,
    "year": XSD.gYear,
    "any": XSD.string,
}


def catalogue_datasets() -> Iterable[Dataset]:
    return (
        Dataset.objects.select_related("provider")
        .prefetch_related("fields", "upstream")
        .order_by("code")
    )


def catalogue_graph(base: str, datasets: Iterable[Dataset]) -> Graph:
    """`base`: the site's address without a trailing slash, for the resources' URIs."""
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("prov", PROV),
        ("csvw", CSVW),
    ):
        g.bind(prefix, ns)
    catalog = URIRef(f"{base}/datahub/")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("广州市政务数据资源目录", lang=ZH)))
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal("各部门政务数据资源的目录（GB/T 21063），含共享类型与更新周期。", lang=ZH),
        )
    )
    for d in datasets:
        uri = _dataset_uri(base, d.code)
        g.add((catalog, DCAT.dataset, uri))
        g.add((uri, RDF.type, DCAT.Dataset))
        g.add((uri, DCTERMS.identifier, Literal(d.code)))
        g.add((uri, DCTERMS.title, Literal(d.name, lang=ZH)))
        if d.summary:
            g.add((uri, DCTERMS.description, Literal(d.summary, lang=ZH)))
        publisher = URIRef(f"{base}/org/{quote(d.provider.code)}")
        g.add((uri, DCTERMS.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Organization))
        g.add((publisher, FOAF.name, Literal(d.provider.name, lang=ZH)))
        for word in d.keywords:
            g.add((uri, DCAT.keyword, Literal(word, lang=ZH)))
        for theme in d.themes:
            concept = URIRef(f"{base}/datahub/themes/{quote(theme)}")
            g.add((uri, DCAT.theme, concept))
            g.add((concept, RDF.type, SKOS.Concept))
            g.add((concept, SKOS.prefLabel, Literal(theme, lang=ZH)))
        g.add((uri, DCTERMS.accrualPeriodicity, FREQUENCY[FREQUENCY_EU[d.update_frequency]]))
        g.add((uri, DCTERMS.accessRights, _ACCESS[SharingType(d.sharing_type)]))
        rights = " ".join(
            x for x in (d.get_sharing_type_display(), d.sharing_conditions, d.legal_basis) if x
        )
        g.add((uri, DCTERMS.rights, Literal(rights, lang=ZH)))
        g.add((uri, OWL.versionInfo, Literal(str(d.version))))
        g.add((uri, DCTERMS.issued, Literal(d.created_at.isoformat(), datatype=XSD.dateTime)))
        if d.last_loaded_at:
            g.add(
                (
                    uri,
                    DCTERMS.modified,
                    Literal(d.last_loaded_at.isoformat(), datatype=XSD.dateTime),
                )
            )
        for parent in d.upstream.all():
            g.add((uri, PROV.wasDerivedFrom, _dataset_uri(base, parent.code)))
        dist = URIRef(f"{base}/datahub/datasets/{quote(d.code)}/distribution")
        g.add((uri, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.format, Literal(d.format)))
        g.add((dist, DCTERMS.conformsTo, TABLE_SCHEMA))
        if d.sharing_type != SharingType.NOT_SHARED:
            table = BNode()
            g.add((dist, CSVW.tableSchema, table))
            for field in d.fields.all():
                column = BNode()
                g.add((table, CSVW.column, column))
                g.add((column, CSVW.name, Literal(field.name)))
                g.add((column, CSVW.datatype, _XSD.get(field.type, XSD.string)))
                if field.title:
                    g.add((column, CSVW.title, Literal(field.title, lang=ZH)))
    return g


def _dataset_uri(base: str, code: str) -> URIRef:
    return URIRef(f"{base}/datahub/datasets/{quote(code)}/")
