"""What the insights app learns across orders, as pure functions (no database): the same
code runs on the platform's orders (services/) and on a CSV file (the commands).

- textsim.py        normalised text, character n-gram TF-IDF, key terms
- duplicates.py     并单候选: text × place × time score, candidates, groups around a master
- hotspots.py       热点: mutual-neighbour grouping, heat index, Poisson burst test
- reply_quality.py  答复质量: relevance, completeness, timeliness, perfunctory replies
- tables.py         reading CSV files with named columns and two time formats
- real_data.py      figures on the shared real data (benchmarks and tests only)

Decisions and figures: docs/decisions/0016-hotspots-duplicates-replies.md.
"""
