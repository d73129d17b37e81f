"""The hotline's test fixtures, defined in fixtures.py (the insights app's tests share them)."""

from hongmian.hotline.tests.fixtures import (  # noqa: F401  (pytest finds fixtures by name)
    Flow,
    Units,
    agent,
    agent_actor,
    article,
    category,
    citizen,
    citizen_person,
    flow,
    liede_handler,
    sent,
    shipai_handler,
    supervisor,
    supervisor_actor,
    tianhe_handler,
    units,
    water_handler,
    yuexiu_handler,
)
