"""The house's one search engine, used by the knowledge base and the service catalogue.

- analysis.py: text → terms (core.text normalisation and jieba segmentation, synonym
  groups, character bigrams, toneless-pinyin bigrams for homophone typos);
- lexicon.py: stopwords and synonym groups of everyday government vocabulary;
- expansion.py: one-way query expansions (colloquial phrase → official words) read from a
  data file the domain app keeps;
- index.py: BM25 over the channels, held in numpy arrays, with the local-idf rerank and
  the hybrid with dense vectors (dense.py) and a learned ranking (learned.py);
- metrics.py: MRR@10 and recall over questions with known answers.

Apps build an index from their own documents and decide when to rebuild it; nothing here
touches the database.
"""
