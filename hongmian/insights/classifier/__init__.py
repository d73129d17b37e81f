"""The classifier: text classifiers that suggest an order's category and handling unit.

    features.py    a message (title + content) → sparse features: character n-grams, jieba
                   words and the title on its own, each TF-IDF weighted
    text_classifier.py  TextClassifier: fit, calibrated top-k prediction, save/load (joblib),
                   with the label set, training fingerprint and metrics inside the artefact
    datasets.py    labelled rows from CSV, XLSX, JSONL, with clear errors for bad files
    evaluation.py  stratified cross-validation (noisy rows only ever in training folds),
                   accuracy, macro-F1 and a per-class table
    targets.py     what each registry target predicts (category level, unit), read from
                   the platform's closed orders, and how a label maps onto the platform
    registry.py    the active model per target, loaded once per process and version
    suggest.py     the active models' suggestions for a message (console, API)
    nbsvm.py, stacking.py, messages.py   the default model's parts (decision 0015)

Writes (training, registering, activating, feedback) are services in
`hongmian.insights.services.classifier`; nothing here writes to the database. Importing this
package is cheap: scikit-learn is imported by the modules that need it.
See docs/decisions/0015-classifier.md.
"""
