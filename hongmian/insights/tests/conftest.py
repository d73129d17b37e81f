"""The insights tests run on the hotline's orders: the hotline's fixtures (its fixtures.py)."""

from hongmian.hotline.tests.fixtures import (  # noqa: F401  (pytest finds fixtures by name)
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
