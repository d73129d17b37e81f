"""The learned search ranking as a platform feature: the services that learn, store and
(de)activate it, the selector that serves it, the backend that ranks with it, and
`hongmian knowledge learn` / `search --ranking`. Vectors come from the fake encoder of
test_dense (learning on them takes a second or two), never from the real model."""

from __future__ import annotations

import csv
import hashlib
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.models import AuditEvent
from hongmian.core.search import dense, learned
from hongmian.knowledge import selectors, services
from hongmian.knowledge.models import Article, SearchRanking
from hongmian.knowledge.search import embedded
from hongmian.knowledge.search.embedded import EmbeddedBackend
from hongmian.knowledge.services import ranking as ranking_services
from hongmian.knowledge.states import ArticleStatus
from hongmian.knowledge.tests.conftest import Org, actor_of
from hongmian.knowledge.tests.test_dense import FakeEncoder

TOPICS = [
    "社保卡", "公积金", "居住证", "护照", "驾驶证", "营业执照", "医保", "养老金", "失业金",
    "生育津贴", "低保", "残疾证", "出生证明", "结婚登记", "户口迁移", "身份证", "港澳通行证",
    "房产证", "不动产登记", "契税", "个税", "停车证", "垃圾分类", "噪音投诉", "停水", "停电",
    "燃气", "供暖", "学位申请", "入学报名", "人才引进", "积分入户", "创业补贴", "技能培训",
    "高龄津贴", "殡葬补贴", "法律援助", "消费投诉", "食品安全", "共享单车",
]  # fmt: skip
SYSTEM = Actor.system("test")


def _body(topic: str) -> str:
    return f"{topic}可以到政务服务中心的{topic}窗口办理，咨询电话12345，需携带身份证原件。"


def _question(topic: str) -> str:
    return f"请问{topic}去哪里办，要带什么"


@pytest.fixture(autouse=True)
def _fresh_ranking_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # The selector keeps the last artefact per process by (id, checksum); ids repeat
    # between tests once their transactions roll back.
    monkeypatch.setattr(selectors, "_ranking_loaded", None)


@pytest.fixture
def fake_dense(monkeypatch: pytest.MonkeyPatch) -> FakeEncoder:
    """Dense vectors on, from the fake encoder, wherever the default encoder is asked for."""
    encoder = FakeEncoder()
    monkeypatch.setattr(dense, "available", lambda: True)
    monkeypatch.setattr(dense, "default_encoder", lambda: encoder)
    with override_settings(HONGMIAN_KNOWLEDGE_DENSE=True):
        yield encoder


@pytest.fixture
def articles(org: Org) -> list[Article]:
    now = timezone.now()
    return Article.objects.bulk_create(
        [
            Article(
                title=f"{topic}办理指南",
                body=_body(topic),
                owning_unit=org.hrss,
                status=ArticleStatus.PUBLISHED,
                revision=1,
                published_at=now,
                external_id=f"KB-{i}",
            )
            for i, topic in enumerate(TOPICS)
        ]
    )


def _pairs(articles: list[Article]) -> list[tuple[str, str]]:
    return [(_question(TOPICS[i]), str(a.pk)) for i, a in enumerate(articles)]


def _audits(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def _index_version() -> int:
    return embedded.stored_version()


# --- learning through the service ------------------------------------------------------------


def test_learning_stores_activates_and_the_backend_ranks_with_it(
    fake_dense: FakeEncoder, articles: list[Article], org: Org
) -> None:
    before = _index_version()
    first = services.search_ranking_learn(actor=SYSTEM, pairs=_pairs(articles), source="faq.csv")
    assert (first.version, first.is_active, first.source) == (1, True, "faq.csv")
    assert first.pairs == len(TOPICS)
    assert first.artefact_sha256 == hashlib.sha256(bytes(first.artefact)).hexdigest()
    assert first.info["pairs_used"] == len(TOPICS)
    assert first.info["articles"] == len(TOPICS)
    assert _index_version() == before + 1
    assert (_audits("search_ranking.learn"), _audits("search_ranking.activate")) == (1, 1)

    ranking = selectors.active_search_ranking()
    assert ranking is not None
    assert ranking.fingerprint == first.fingerprint
    index = EmbeddedBackend(encoder=fake_dense, use_dense=True).build()
    assert index.learned is not None
    assert index.learned.fingerprint == first.fingerprint
    hits = selectors.article_search("社保卡去哪里办", audience="staff")
    assert hits
    assert hits[0].article_id == articles[0].pk

    second = services.search_ranking_learn(
        actor=SYSTEM, pairs=_pairs(articles)[::-1], source="again"
    )
    first.refresh_from_db()
    assert (second.version, second.is_active, first.is_active) == (2, True, False)
    assert SearchRanking.objects.filter(is_active=True).get() == second


def test_a_bm25_index_has_no_learned_ranking(fake_dense: FakeEncoder, articles: list) -> None:
    services.search_ranking_learn(actor=SYSTEM, pairs=_pairs(articles), source="faq.csv")
    assert EmbeddedBackend(use_dense=False).build().learned is None


def test_inactive_version_is_not_served(fake_dense: FakeEncoder, articles: list) -> None:
    services.search_ranking_learn(
        actor=SYSTEM, pairs=_pairs(articles), source="faq.csv", activate=False
    )
    assert SearchRanking.objects.get().is_active is False
    assert selectors.active_search_ranking() is None
    assert EmbeddedBackend(encoder=fake_dense, use_dense=True).build().learned is None


def test_too_few_pairs_write_nothing_and_keep_the_active_one(
    fake_dense: FakeEncoder, articles: list[Article]
) -> None:
    active = services.search_ranking_learn(actor=SYSTEM, pairs=_pairs(articles), source="a")
    version, audits = _index_version(), AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as few:
        services.search_ranking_learn(actor=SYSTEM, pairs=_pairs(articles)[:10], source="b")
    assert few.value.code == "search_ranking.too_few_pairs"
    # Enough pairs, but most name articles that are not published (or do not exist).
    Article.objects.filter(pk__in=[a.pk for a in articles[:20]]).update(
        status=ArticleStatus.RETIRED
    )
    unknown = [*_pairs(articles), ("没有这篇", "999999")]
    with pytest.raises(ValidationFailed) as gone:
        services.search_ranking_learn(actor=SYSTEM, pairs=unknown, source="c")
    assert gone.value.code == "search_ranking.too_few_pairs"
    assert "21 对的条目不存在或未发布" in gone.value.message

    assert list(SearchRanking.objects.values_list("pk", "is_active")) == [(active.pk, True)]
    assert (_index_version(), AuditEvent.objects.count()) == (version, audits)


def test_a_failed_learning_never_replaces_the_active_ranking(
    fake_dense: FakeEncoder, articles: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    active = services.search_ranking_learn(actor=SYSTEM, pairs=_pairs(articles), source="a")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise learned.LearningError("the fit diverged")

    monkeypatch.setattr(learned, "learn_ranking", broken)
    with pytest.raises(ValidationFailed) as failed:
        services.search_ranking_learn(actor=SYSTEM, pairs=_pairs(articles), source="b")
    assert failed.value.code == "search_ranking.learning_failed"
    assert list(SearchRanking.objects.values_list("pk", "is_active")) == [(active.pk, True)]


def test_learning_needs_dense_vectors(articles: list[Article]) -> None:
    with override_settings(HONGMIAN_KNOWLEDGE_DENSE=False), pytest.raises(Conflict) as off:
        services.search_ranking_learn(actor=SYSTEM, pairs=_pairs(articles), source="a")
    assert off.value.code == "search_ranking.dense_off"
    assert not SearchRanking.objects.exists()


def test_only_administrators_learn_and_activate(org: Org, articles: list[Article]) -> None:
    with pytest.raises(PermissionDenied) as denied:
        services.search_ranking_learn(
            actor=actor_of(org.supervisor), pairs=_pairs(articles), source="a"
        )
    assert denied.value.code == "search_ranking.forbidden"
    with pytest.raises(PermissionDenied):
        services.search_ranking_deactivate(actor=actor_of(org.agent))


# --- activation and the selector -------------------------------------------------------------


def test_activate_and_deactivate_are_audited(
    fake_dense: FakeEncoder, articles: list[Article]
) -> None:
    first = services.search_ranking_learn(actor=SYSTEM, pairs=_pairs(articles), source="a")
    second = services.search_ranking_learn(
        actor=SYSTEM, pairs=_pairs(articles)[1:], source="b", activate=False
    )
    version = _index_version()

    services.search_ranking_activate(actor=SYSTEM, ranking=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    assert _index_version() == version + 1
    event = AuditEvent.objects.filter(action="search_ranking.activate").order_by("-id").first()
    assert event is not None
    assert (event.before, event.after) == ({"active_version": 1}, {"active_version": 2})
    # Again: nothing changes.
    services.search_ranking_activate(actor=SYSTEM, ranking=second.pk)
    assert _index_version() == version + 1

    assert services.search_ranking_deactivate(actor=SYSTEM) == second
    assert not SearchRanking.objects.filter(is_active=True).exists()
    assert _audits("search_ranking.deactivate") == 1
    assert _index_version() == version + 2
    assert selectors.active_search_ranking() is None
    assert services.search_ranking_deactivate(actor=SYSTEM) is None  # nothing was active

    with pytest.raises(NotFound):
        services.search_ranking_activate(actor=SYSTEM, ranking=999999)


@pytest.mark.parametrize("damage", ["bytes", "checksum_matches"])
def test_a_damaged_artefact_is_ignored_and_search_still_answers(
    fake_dense: FakeEncoder,
    articles: list[Article],
    damage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    record = services.search_ranking_learn(actor=SYSTEM, pairs=_pairs(articles), source="a")
    junk = b"not an npz file"
    sha = hashlib.sha256(junk).hexdigest() if damage == "checksum_matches" else "0" * 64
    SearchRanking.objects.filter(pk=record.pk).update(artefact=junk, artefact_sha256=sha)

    assert selectors.active_search_ranking() is None
    assert "ignored" in caplog.text
    assert EmbeddedBackend(encoder=fake_dense, use_dense=True).build().learned is None
    assert selectors.article_search("停车证怎么办", audience="staff")
    # A damaged version cannot be activated again either.
    services.search_ranking_deactivate(actor=SYSTEM)
    with pytest.raises(Conflict) as refused:
        services.search_ranking_activate(actor=SYSTEM, ranking=record)
    assert refused.value.code == "search_ranking.artefact_invalid"


def test_the_artefact_is_read_once_per_version(
    fake_dense: FakeEncoder, articles: list[Article], django_assert_num_queries: Any
) -> None:
    services.search_ranking_learn(actor=SYSTEM, pairs=_pairs(articles), source="a")
    assert selectors.active_search_ranking() is not None
    with django_assert_num_queries(1):  # the active row's id and checksum only
        assert selectors.active_search_ranking() is not None


# --- the weekly relearning's decisions -------------------------------------------------------


def test_relearning_respects_the_operator(
    fake_dense: FakeEncoder, articles: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whether a new version beats the hybrid is decided by its figures (the next test).
    monkeypatch.setattr(ranking_services, "gains", lambda info: True)
    pairs = _pairs(articles)
    few = services.search_ranking_relearn(actor=SYSTEM, pairs=pairs[:5])
    assert (few["learned"], few["reason"]) == (False, "too_few_pairs")

    done = services.search_ranking_relearn(actor=SYSTEM, pairs=pairs)
    assert (done["learned"], done["version"]) == (True, 1)
    assert SearchRanking.objects.get(is_active=True).source == services.USAGE_SOURCE
    same = services.search_ranking_relearn(actor=SYSTEM, pairs=pairs)
    assert same["reason"] == "unchanged"

    services.search_ranking_deactivate(actor=SYSTEM)
    assert services.search_ranking_relearn(actor=SYSTEM, pairs=pairs[1:])["reason"] == (
        "turned_off"
    )
    services.search_ranking_learn(actor=SYSTEM, pairs=pairs, source="faq.csv")
    assert services.search_ranking_relearn(actor=SYSTEM, pairs=pairs[1:])["reason"] == (
        "active_from_other_source"
    )
    assert SearchRanking.objects.count() == 2


@pytest.mark.parametrize("gain", [True, False])
def test_relearning_serves_a_version_only_when_it_beats_the_hybrid(
    fake_dense: FakeEncoder, articles: list, monkeypatch: pytest.MonkeyPatch, gain: bool
) -> None:
    seen: list[dict[str, Any]] = []

    def judged(info: dict[str, Any]) -> bool:
        seen.append(info)
        return gain

    monkeypatch.setattr(ranking_services, "gains", judged)
    done = services.search_ranking_relearn(actor=SYSTEM, pairs=_pairs(articles))
    assert done["learned"] is True
    assert done["activated"] is gain
    assert done.get("reason") == (None if gain else "no_gain")
    record = SearchRanking.objects.get(version=done["version"])
    assert record.is_active is gain
    # The decision was made on the stored version's own cross-validated figures.
    assert seen == [record.info]
    assert {"cv_mrr_hybrid", "cv_mrr_learned"} <= set(record.info)


def test_gain_means_a_higher_cross_validated_mrr_than_the_hybrid() -> None:
    assert ranking_services.gains({"cv_mrr_hybrid": 0.69, "cv_mrr_learned": 0.70})
    assert not ranking_services.gains({"cv_mrr_hybrid": 0.70, "cv_mrr_learned": 0.70})
    assert not ranking_services.gains({"cv_mrr_learned": 0.9})  # a version without figures


# --- the command -----------------------------------------------------------------------------


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _faq(tmp_path: Path) -> tuple[Path, Path]:
    index = _csv(
        tmp_path / "faq.csv",
        ["id", "title", "answer"],
        [[f"F{i}", f"{t}办理指南", _body(t)] for i, t in enumerate(TOPICS)],
    )
    pairs = _csv(
        tmp_path / "questions.csv",
        ["question", "id"],
        [[_question(t), f"F{i}"] for i, t in enumerate(TOPICS)],
    )
    return index, pairs


def run(*args: str) -> str:
    out = StringIO()
    call_command("knowledge", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _offline_learn(index: Path, pairs: Path, out: Path, *extra: str) -> str:
    return run(
        "learn", "--pairs", str(pairs), "--question-column", "question", "--id-column", "id",
        "--index", str(index), "--body-column", "answer", "--title-column", "title",
        "--out", str(out), *extra,
    )  # fmt: skip


def _search(index: Path, out: Path, queries: Path, *extra: str) -> dict[str, list[str]]:
    run(
        "search", "--queries", str(queries), "--output", str(out), "--top", "5",
        "--index", str(index), "--id-column", "id", "--body-column", "answer",
        "--title-column", "title", *extra,
    )  # fmt: skip
    return {x["id"]: x["results"] for x in map(json.loads, out.read_text().splitlines())}


def test_offline_learn_and_search_round_trip(fake_dense: FakeEncoder, tmp_path: Path) -> None:
    index, pairs = _faq(tmp_path)
    ranking = tmp_path / "out" / "ranking.npz"
    output = _offline_learn(index, pairs, ranking)
    assert f"用了 {len(TOPICS)} 对" in output
    assert json.loads(output.splitlines()[-1])["pairs_used"] == len(TOPICS)
    loaded = learned.LearnedRanking.from_bytes(ranking.read_bytes(), dimensions=dense.DIMENSIONS)
    assert loaded.pairs == len(TOPICS)

    queries = tmp_path / "q.jsonl"
    lines = [{"id": f"q{i}", "query": f"{t}在哪办"} for i, t in enumerate(TOPICS[:5])]
    lines.append({"id": "none", "query": "火星移民"})
    queries.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    plain = _search(index, tmp_path / "plain.jsonl", queries)
    ranked = _search(index, tmp_path / "ranked.jsonl", queries, "--ranking", str(ranking))
    assert list(ranked) == list(plain)
    assert ranked["none"] == plain["none"] == []
    known = {f"F{i}" for i in range(len(TOPICS))}
    for key, results in ranked.items():
        # As many hits, all rows of the file: the ranking reorders, it does not filter.
        assert len(results) == len(plain[key])
        assert set(results) <= known
    assert ranked["q0"][0] == "F0"


@pytest.mark.django_db
def test_platform_learn_is_a_dry_run_until_commit(
    fake_dense: FakeEncoder, articles: list[Article], tmp_path: Path
) -> None:
    # External ids for most rows, the numeric id for one, and an id that names nothing.
    rows = [[_question(t), f"KB-{i}"] for i, t in enumerate(TOPICS)]
    rows[0][1] = str(articles[0].pk)
    rows.append(["不存在的问题", "KB-missing"])
    pairs = _csv(tmp_path / "usage.csv", ["问题", "编号"], rows)
    args = ["learn", "--pairs", str(pairs), "--question-column", "问题", "--id-column", "编号"]

    output = run(*args)
    assert f"{len(TOPICS)} 对的条目已发布" in output
    assert "1 对的编号找不到条目" in output
    assert "试运行" in output
    assert not SearchRanking.objects.exists()

    out = tmp_path / "stored.npz"
    output = run(*args, "--commit", "--out", str(out))
    record = SearchRanking.objects.get(is_active=True)
    assert f"v{record.version}" in output
    assert (record.source, record.pairs) == ("usage.csv", len(TOPICS))
    assert out.read_bytes() == bytes(record.artefact)


def _errors_of(*args: str) -> str:
    with pytest.raises(CommandError) as failed:
        run(*args)
    return str(failed.value)


def test_command_errors_are_clear(fake_dense: FakeEncoder, tmp_path: Path) -> None:
    index, pairs = _faq(tmp_path)
    learn = ["learn", "--pairs", str(pairs), "--question-column", "question", "--id-column"]
    assert "没有列：编号" in _errors_of(*learn, "编号")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "文件是空的" in _errors_of(
        "learn", "--pairs", str(empty), "--question-column", "q", "--id-column", "id"
    )
    few = _csv(tmp_path / "few.csv", ["question", "id"], [["社保卡去哪办", "F0"]])
    assert "至少需要 30 对" in _errors_of(
        "learn", "--pairs", str(few), "--question-column", "question", "--id-column", "id",
        "--index", str(index), "--body-column", "answer", "--out", str(tmp_path / "r.npz"),
    )  # fmt: skip
    assert "需要 --out" in _errors_of(
        *learn, "id", "--index", str(index), "--body-column", "answer"
    )
    with override_settings(HONGMIAN_KNOWLEDGE_DENSE=False):
        assert "需要向量检索" in _errors_of(
            *learn, "id", "--index", str(index), "--body-column", "answer",
            "--out", str(tmp_path / "r.npz"),
        )  # fmt: skip

    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": 1, "query": "停水"}', encoding="utf-8")
    search = ["search", "--queries", str(queries), "--output", str(tmp_path / "o.jsonl")]
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(b"junk")
    assert "只能与 --index 一起使用" in _errors_of(*search, "--ranking", str(damaged))
    assert "不是可用的检索排序模型" in _errors_of(
        *search, "--index", str(index), "--id-column", "id", "--body-column", "answer",
        "--ranking", str(damaged),
    )  # fmt: skip


@pytest.mark.django_db
def test_platform_learn_errors_through_the_service(org: Org, tmp_path: Path) -> None:
    rows = [[f"问题{i}", f"KB-{i}"] for i in range(40)]
    pairs = _csv(tmp_path / "usage.csv", ["问题", "编号"], rows)
    message = _errors_of(
        "learn", "--pairs", str(pairs), "--question-column", "问题", "--id-column", "编号",
        "--commit",
    )  # fmt: skip
    assert "至少需要 30 对" in message
    assert not SearchRanking.objects.exists()
