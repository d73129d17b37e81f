"""NB-SVM: a linear SVM over features scaled by Naive Bayes log-count ratios.

Wang & Manning (2012), "Baselines and Bigrams". For each label, one-vs-rest, every feature
is scaled by r = log((p / |p|₁) / (q / |q|₁)), where p and q are the feature's summed
values over the label's rows and over the others (plus `alpha`); a binary LinearSVC is
fitted on the scaled rows. An n-gram that marks one label is stretched before the SVM sees
it, which a few hundred rows per label cannot teach an SVM on its own.

The scaling folds into the weights — (x ∘ r) · w = x · (r ∘ w) — so the fitted model is one
weight matrix like LinearSVC's and predicts as fast. Measured in decision 0015.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.svm import LinearSVC


class NBSVM(ClassifierMixin, BaseEstimator):
    """scikit-learn classifier over non-negative sparse features (TF-IDF, counts)."""

    def __init__(self, c: float = 1.0, alpha: float = 0.03, max_iter: int = 5_000) -> None:
        self.c = c
        self.alpha = alpha
        self.max_iter = max_iter

    def fit(self, x: Any, y: Any, sample_weight: Any = None) -> NBSVM:
        x = sp.csr_matrix(x, dtype=np.float64)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        weighted = x if weights is None else sp.diags(weights) @ x
        # Binary: one model for the second class, as scikit-learn's binary classifiers do.
        positives = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        coef = np.zeros((len(positives), x.shape[1]))
        intercept = np.zeros(len(positives))
        for j, label in enumerate(positives):
            mine = y == label
            p = np.asarray(weighted[mine].sum(axis=0)).ravel() + self.alpha
            q = np.asarray(weighted[~mine].sum(axis=0)).ravel() + self.alpha
            ratio = np.log((p / p.sum()) / (q / q.sum()))
            svm = LinearSVC(C=self.c, dual="auto", max_iter=self.max_iter)
            svm.fit(x @ sp.diags(ratio), mine.astype(int), sample_weight=weights)
            coef[j] = svm.coef_.ravel() * ratio
            intercept[j] = svm.intercept_[0]
        # Stored features × labels, C-ordered: a sparse row times it needs no copy (coef.T
        # would be copied on every call, doubling the time of one prediction).
        self.weights_ = np.ascontiguousarray(coef.T)
        self.intercept_ = intercept
        self.n_features_in_ = x.shape[1]
        return self

    @property
    def coef_(self) -> np.ndarray:
        """Labels × features, as scikit-learn's linear models have it (a view)."""
        return self.weights_.T

    def decision_function(self, x: Any) -> np.ndarray:
        scores = np.asarray(x @ self.weights_) + self.intercept_
        return scores.ravel() if len(self.classes_) == 2 else scores

    def predict(self, x: Any) -> np.ndarray:
        scores = self.decision_function(x)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]
