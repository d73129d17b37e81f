"""Writes of the catalogue: items and their review workflow (items.py), their content
(content.py), imports and exports (imports.py, exports.py), life events (life_events.py).
Import each function from its own module."""
