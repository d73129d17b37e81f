"""Search in everyday words over the service catalogue (engine.py), and its measurement on
the project's everyday queries (evaluation.py). The engine is the house's one search
engine (hongmian/core/search); this package holds only what is the catalogue's own: how an
item becomes a document, the colloquial lexicon, the variant discount and the threshold."""
