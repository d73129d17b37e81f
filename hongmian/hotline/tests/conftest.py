"""The hotline's test fixtures, defined in fixtures.py (the insights app's tests share them).
Types such as `Units` and `Flow` are imported from fixtures.py, where they are defined."""

from hongmian.hotline.tests.fixtures import *  # noqa: F403  (pytest finds fixtures by name)
