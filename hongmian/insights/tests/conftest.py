"""The insights tests run on the hotline's orders: the hotline's fixtures (its fixtures.py)."""

from hongmian.hotline.tests.fixtures import *  # noqa: F403  (pytest finds fixtures by name)
