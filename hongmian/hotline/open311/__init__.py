"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/.

- urls.py         the spec's resources, each as .json and .xml
- views.py        parse the request, call the hotline's selectors and intake, answer
- serialisers.py  the spec's field names and shapes, rendered as JSON or XML
- selectors.py    the reads Open311 needs (services from the category tree, request filters)

Decisions: docs/decisions/0009-api-and-open311.md.
"""
