"""NB-SVM stacked with the taxonomy's names: a small logistic regression over two views.

The hint rows (the taxonomy's category names, `datasets.taxonomy_hints`) teach NB-SVM the
words a label covers, but as a few hundred short rows among thousands of messages they
weigh little. This model also asks, for every label, how close the message comes to the
nearest of that label's names — the highest dot product of the message's features with the
label's hint rows (each feature block is L2-normalised, so it is a cosine per block). A
multinomial logistic regression (the "meta" model) then weighs, per label, NB-SVM's
decision values against these similarities:

- NB-SVM is fitted on all rows, as before (`nbsvm.py`);
- the meta model learns from out-of-fold NB-SVM decisions of the message rows (k-fold,
  the hint rows always train), so it sees NB-SVM's scores as they are on unseen messages;
- its C is picked by an inner cross-validation of the meta model itself (14 dense
  features: cheap), never by the test data;
- its probabilities are the confidences: a logistic regression fitted on out-of-fold
  scores is calibrated without a separate temperature.

Measured in decision 0015 (nested 5-fold CV on the board's gold messages): +0.010 macro-F1
over NB-SVM + hints. Without hint rows there is nothing to stack, and a meta model over
NB-SVM alone scored lower than NB-SVM: the classifier then keeps the calibrated NB-SVM.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin

from hongmian.insights.classifier.nbsvm import NBSVM

# Meta-model C candidates: a strong pull towards equal weights did best; the inner CV
# chose among these (0.03–0.3) on the board's folds.
META_CS = (0.03, 0.1, 0.3)


class HintStack(ClassifierMixin, BaseEstimator):
    """scikit-learn classifier over non-negative sparse features; `fit` needs `hint_mask`
    (which rows are hint rows) to know the names it compares messages with."""

    def __init__(
        self,
        c: float = 1.0,
        alpha: float = 0.03,
        folds: int = 5,
        meta_cs: tuple[float, ...] = META_CS,
        random_state: int = 0,
    ) -> None:
        self.c = c
        self.alpha = alpha
        self.folds = folds
        self.meta_cs = meta_cs
        self.random_state = random_state

    # --- training -------------------------------------------------------------------------

    def fit(self, x: Any, y: Any, sample_weight: Any = None, hint_mask: Any = None) -> HintStack:
        from sklearn.model_selection import StratifiedKFold

        x = sp.csr_matrix(x, dtype=np.float64)
        y = np.asarray(y)
        n = x.shape[0]
        weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
        hints = np.zeros(n, bool) if hint_mask is None else np.asarray(hint_mask, bool)
        self.classes_ = np.unique(y)
        self.base_ = self._nbsvm().fit(x, y, sample_weight=weights)
        # Hint rows sorted by label, so that each label's similarities are one column slice.
        order = np.flatnonzero(hints)
        order = order[np.argsort(y[order], kind="stable")]
        self.hints_ = sp.csr_matrix(x[order], dtype=np.float32)
        self.hint_labels_ = np.searchsorted(self.classes_, y[order])

        rows, extra = np.flatnonzero(~hints), np.flatnonzero(hints)
        least = min(int((y[rows] == label).sum()) for label in self.classes_)
        folds = max(2, min(self.folds, least))
        decisions = np.zeros((len(rows), len(self.classes_)))
        split = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
        for train, test in split.split(np.zeros(len(rows)), y[rows]):
            fit_rows = np.r_[rows[train], extra]
            model = self._nbsvm().fit(x[fit_rows], y[fit_rows], sample_weight=weights[fit_rows])
            decisions[test] = _wide(model.decision_function(x[rows[test]]))
        z = np.hstack([decisions, self._similarity(x[rows])])
        self.mean_ = z.mean(axis=0)
        self.scale_ = np.where(z.std(axis=0) > 0, z.std(axis=0), 1.0)
        z = (z - self.mean_) / self.scale_
        self.meta_c_ = self._pick_c(z, y[rows], weights[rows], folds)
        self.meta_ = _meta(self.meta_c_).fit(z, y[rows], sample_weight=weights[rows])
        self.n_features_in_ = x.shape[1]
        return self

    def _nbsvm(self) -> NBSVM:
        return NBSVM(c=self.c, alpha=self.alpha)

    def _pick_c(self, z: np.ndarray, y: np.ndarray, weights: np.ndarray, folds: int) -> float:
        """The meta C with the best out-of-fold macro-F1 (the first on a tie: the stronger
        regularisation)."""
        from sklearn.metrics import f1_score
        from sklearn.model_selection import StratifiedKFold

        if len(self.meta_cs) == 1:
            return float(self.meta_cs[0])
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
        split = list(splitter.split(z, y))
        scores = []
        for c in self.meta_cs:
            guessed = np.empty(len(y), dtype=y.dtype)
            for train, test in split:
                meta = _meta(c).fit(z[train], y[train], sample_weight=weights[train])
                guessed[test] = meta.predict(z[test])
            scores.append(f1_score(y, guessed, average="macro", sample_weight=weights))
        return float(self.meta_cs[int(np.argmax(scores))])

    # --- prediction -----------------------------------------------------------------------

    def _similarity(self, x: Any) -> np.ndarray:
        """Per label, the highest dot product of each row with the label's hint rows (0 for
        a label without hint rows)."""
        out = np.zeros((x.shape[0], len(self.classes_)))
        if self.hints_.shape[0] == 0:
            return out
        dots = np.asarray((x @ self.hints_.T).todense())
        labels, starts = np.unique(self.hint_labels_, return_index=True)
        out[:, labels] = np.maximum.reduceat(dots, starts, axis=1)
        return out

    def _meta_features(self, x: Any) -> np.ndarray:
        x = sp.csr_matrix(x)
        z = np.hstack([_wide(self.base_.decision_function(x)), self._similarity(x)])
        return (z - self.mean_) / self.scale_

    def decision_function(self, x: Any) -> np.ndarray:
        return np.asarray(self.meta_.decision_function(self._meta_features(x)))

    def predict_proba(self, x: Any) -> np.ndarray:
        return np.asarray(self.meta_.predict_proba(self._meta_features(x)))

    def predict(self, x: Any) -> np.ndarray:
        return np.asarray(self.meta_.predict(self._meta_features(x)))


def _wide(scores: np.ndarray) -> np.ndarray:
    """Decision values as one column per label, also for two labels (one column there)."""
    return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores


def _meta(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3_000)
