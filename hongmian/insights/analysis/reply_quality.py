"""Reply quality (答复质量): is a unit's reply relevant, complete and on time, or perfunctory?

Read before the callback (回访), so that the centre can send a reply back before asking the
caller what they think of it. Three parts, each between 0 and 1:

- **relevance** — does the reply talk about what was asked: the share of the request's
  title words that the reply uses, and the character-bigram cosine of reply and request
  (whichever says more, so a reply that restates the problem in its own words counts);
- **completeness** — does it answer: a result or an action (经调查…, 已整改…, 预计…完成), a
  basis (依据《…》, 根据…规定, a document number), and something concrete (a date, a
  phone number, an amount or a place) — each adds a share;
- **timeliness** — replied by the deadline (1), late (falls to 0 at twice the limit),
  or unknown (left out of the score).

score = 100 × (0.3·relevance + 0.5·completeness + 0.2·timeliness), with the weights of an
unknown part shared out among the others. A perfunctory reply scores at most
PERFUNCTORY_CAP whatever else it says.

Flags (the board shows a badge for any of FLAGS_FOR_REVIEW):

- ``perfunctory`` 敷衍答复 — once greetings, thanks, "已收悉", "现答复如下", dates and a
  forwarding sentence (已转交相关部门处理) are taken out, fewer than SUBSTANCE_MIN characters
  are left; or the whole reply is shorter than SHORT_REPLY;
- ``off_topic`` 未针对诉求 — a reply of some length that shares almost none of the request's
  words: a generic answer ("将充分论证研究") or one written for another request;
- ``late`` 超期答复 — replied after the deadline;
- ``no_basis`` / ``no_result`` — no basis named / no result or action stated (notes for the
  reader; not a reason to send the reply back on their own).

The thresholds were set on the even-numbered half of the silver labels of the public
message board (bench/insights/reply_quality.py) and checked on the odd half.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from hongmian.core.text import normalize
from hongmian.insights.analysis import textsim

SUBSTANCE_MIN = 20
SHORT_REPLY = 30
OFF_TOPIC_RELEVANCE = 0.05
OFF_TOPIC_MIN_LENGTH = 60
PERFUNCTORY_CAP = 20
WEIGHTS = {"relevance": 0.3, "completeness": 0.5, "timeliness": 0.2}
FLAGS_FOR_REVIEW = frozenset({"perfunctory", "off_topic", "late"})

FLAG_LABELS = {
    "perfunctory": "敷衍答复",
    "off_topic": "未针对诉求",
    "late": "超期答复",
    "no_basis": "未说明依据",
    "no_result": "未说明办理结果",
}

# What every reply says and what says nothing: salutations, receipts, thanks, the phrase that
# introduces the answer, signatures and dates. Taken out before looking for substance.
_BOILERPLATE = [
    re.compile(p)
    for p in (
        r"(网友|网民|市民|群众|同志|先生|女士)?[“\"]?[A-Za-z]*\d*[”\"]?[：:，,]?\s*(您好|你好)[！!，,。：:]?",
        r"(尊敬的)?(网友|网民|市民|群众|同志)[：:，,]?",
        r"[“\"][A-Za-z]+\d+[”\"][：:，,]?",
        r"(您|你)?(的|所|通过[^，。！]{0,20}的?)?(留言|来信|信件|建议|意见|诉求|问题|反映)[^，。！]{0,6}(已|均已)?(收悉|收到|阅悉|已阅)[。，！!]?",
        r"(来信|留言|帖文|来邮|邮件)(已)?(收悉|收到)[。，！!]?",
        r"(如有|有关|相关|处理|办理)?(情况|结果|进展)?[^。！!，,]{0,8}(将|会)(及时|第一时间|尽快)?"
        r"[^。！!，,]{0,8}(反馈|回复|答复|告知|公布)[^。！!]{0,10}[。！!]?",
        r"(敬请|请您?)(关注|耐心等待)[^。！!]{0,10}[。！!]?",
        r"祝(您|你)?[^。！!]{0,8}(愉快|顺心|顺利|健康|如意)[。！!]?",
        r"(首先)?(非常|很)?(感谢|多谢)(您|你)?(对|的)?[^。！!]{0,40}"
        r"(关心|关注|支持|理解|监督|信任|来信|留言|问政|建议)[^。！!]{0,12}[。！!]?",
        r"谢谢(您|你)?[^。！!]{0,12}[。！!]?",
        r"现(将|就)?[^。：:]{0,16}(答复|回复|说明)如下[：:]?",
        r"(针对|关于|就)(您|你)(反映|提出|所提|咨询)的?[^。：:]{0,60}(的)?(问题|情况|建议|事项)[，,]?",
        r"[^。，,]{0,20}高度重视[，,]?",
        r"立即组织[^。，,]{0,12}(调查处理|调查核实|处理)[，,]?",
        r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日",
        r"(特此|专此)(答复|回复)[。！!]?",
        r"(如有|若有)(疑问|问题)[^。！!]{0,20}[。！!]?",
    )
]
# "已转交相关部门处理" and the like: the reply passes the request on and says nothing more.
_FORWARD = re.compile(
    r"(已|现已|我们已|我办已|已经)?(转|转交|转至|转给|转送|交由|移交|转办|批转|交办|发函)"
    r"[^。！!；;]{0,30}?(调查|处理|核处|核实|办理|关注|回复|处置|研究|答复|跟进|办复)?"
    r"[^。！!；;]{0,8}[。！!；;]?"
)
# "建议您向…咨询", "请您与…联系": the reply sends the caller elsewhere instead of answering.
_REDIRECT = re.compile(
    r"(建议|请|可以|可)(您|你)?(直接|可以|可|再)?(拨打|致电|联系|到|向|前往|咨询|与|去)"
    r"[^。！!；;]{0,40}?(咨询|联系|反映|反馈|办理|了解|查询)[^。！!；;]{0,10}[。！!；;]?"
)
_BASIS = re.compile(
    r"《[^》]{2,60}》|(依据|根据|按照|依照|依法|遵照)[^。；;]{0,40}?"
    r"(规定|条例|办法|法律|法规|政策|文件|意见|通知|标准|精神|要求|细则|规划|方案)"
    r"|第[一二三四五六七八九十百零〇\d]+条|[〔\[［（(]\s*\d{4}\s*[〕\]］）)]\s*\d+\s*号"
)
_RESULT = re.compile(
    r"经(查|调查|核实|核查|了解|现场|实地|排查|检测|研究|协调)"
    r"|(已|已经|均已|现已)(完成|整改|拆除|清理|修复|修好|处理|处罚|立案|责令|约谈|取缔|查处|"
    r"恢复|安排|落实|解决|协调|督促|要求|告知|通知|联系|办理|开通|纳入|启动|关停|更换|维修|"
    r"清运|铺设|安装|下发|到位|发放|退还|签订|组织|派员|介入)"
    r"|(目前|现阶段|下一步|预计|计划|将于|拟于|争取|力争)"
    r"|(不符合|符合|属于|不属于)[^。]{0,20}(条件|规定|范围|标准)"
)
_CONCRETE = re.compile(
    r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*年|月底|年底|年内|\d+\s*个?工作日"
    r"|电话|热线|窗口|\d{3,4}\s*[-—－]\s*\d{7,8}|1[3-9]\d{9}|12345|12315|12369"
    r"|\d+(\.\d+)?\s*(米|公里|元|万元|户|台|辆|个|天|平方米|吨|%|％)"
)
_PUNCT = re.compile(r"[\s\W_]+")


@dataclass(frozen=True, slots=True)
class ReplyAssessment:
    score: int
    flags: tuple[str, ...]
    reasons: tuple[str, ...]
    parts: dict[str, float | None] = field(default_factory=dict)

    @property
    def needs_review(self) -> bool:
        """Worth a supervisor's look before the callback."""
        return any(f in FLAGS_FOR_REVIEW for f in self.flags)

    @property
    def labels(self) -> list[str]:
        return [FLAG_LABELS.get(f, f) for f in self.flags]

    def as_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "needs_review": self.needs_review,
            "flags": list(self.flags),
            "reasons": list(self.reasons),
            "parts": {k: (None if v is None else round(v, 3)) for k, v in self.parts.items()},
        }


def substance(reply: str) -> tuple[str, bool]:
    """What is left of `reply` without the boilerplate and the forwarding sentence, and
    whether it forwards the request (clean, no spaces or punctuation)."""
    text = normalize(reply or "")
    forwards = bool(_FORWARD.search(text))
    for pattern in _BOILERPLATE:
        text = pattern.sub("", text)
    text = _FORWARD.sub("", text)
    redirects = bool(_REDIRECT.search(text))
    text = _REDIRECT.sub("", text)
    return _PUNCT.sub("", text), forwards or redirects


def relevance(request_title: str, request_text: str, reply: str) -> float:
    """0–1: how much of the request the reply talks about (module docstring). The title's
    words are compared by their character pairs, so 小货车营运证 still meets 货车营运."""
    head = request_title or request_text[:60]
    title_pairs = {w[i : i + 2] for w in textsim.words(head) for i in range(len(w) - 1)}
    clean_reply = textsim.clean(reply)
    share = (
        sum(1 for p in title_pairs if p in clean_reply) / len(title_pairs) if title_pairs else 0.0
    )
    return max(share, min(1.0, 1.5 * _bigram_cosine(f"{request_title}{request_text[:300]}", reply)))


def _bigram_cosine(a: str, b: str) -> float:
    def grams(s: str) -> Counter[str]:
        s = _PUNCT.sub("", textsim.clean(s))
        return Counter(s[i : i + 2] for i in range(len(s) - 1))

    x, y = grams(a), grams(b)
    if not x or not y:
        return 0.0
    dot = sum(v * y[k] for k, v in x.items() if k in y)
    return dot / math.sqrt(sum(v * v for v in x.values()) * sum(v * v for v in y.values()))


def timeliness(
    requested_at: dt.datetime | None, replied_at: dt.datetime | None, due_at: dt.datetime | None
) -> float | None:
    """1 when replied by `due_at`; falls linearly to 0 at twice the time allowed; None when
    any of the three is unknown."""
    if requested_at is None or replied_at is None or due_at is None:
        return None
    if replied_at <= due_at:
        return 1.0
    allowed = max((due_at - requested_at).total_seconds(), 1.0)
    late = (replied_at - due_at).total_seconds()
    return max(0.0, 1.0 - late / allowed)


def assess_reply(
    *,
    request_title: str,
    request_text: str,
    reply: str,
    requested_at: dt.datetime | None = None,
    replied_at: dt.datetime | None = None,
    due_at: dt.datetime | None = None,
) -> ReplyAssessment:
    """Score and flag one reply (module docstring)."""
    reply = reply or ""
    core, forwards = substance(reply)
    length = len(_PUNCT.sub("", reply))
    flags: list[str] = []
    reasons: list[str] = []
    perfunctory = length < SHORT_REPLY or len(core) < SUBSTANCE_MIN
    if perfunctory:
        flags.append("perfunctory")
        if not reply.strip():
            reasons.append("没有答复内容")
        elif forwards:
            reasons.append("只说明已转交或请诉求人另找部门，未答复诉求本身")
        elif length < SHORT_REPLY:
            reasons.append(f"答复过短（{length} 字）")
        else:
            reasons.append("只有问候、收悉、致谢等套话，没有实质内容")
    rel = relevance(request_title, request_text, reply)
    if not perfunctory and length >= OFF_TOPIC_MIN_LENGTH and rel < OFF_TOPIC_RELEVANCE:
        flags.append("off_topic")
        reasons.append("答复几乎没有提到诉求的具体内容")
    has_result = bool(_RESULT.search(core))
    has_basis = bool(_BASIS.search(reply))
    has_concrete = bool(_CONCRETE.search(core))
    completeness = 0.5 * has_result + 0.3 * has_basis + 0.2 * has_concrete
    if not perfunctory:
        if not has_result:
            flags.append("no_result")
            reasons.append("未说明调查结果或办理措施")
        if not has_basis:
            flags.append("no_basis")
            reasons.append("未引用政策法规或依据")
    on_time = timeliness(requested_at, replied_at, due_at)
    if on_time is not None and on_time < 1.0:
        flags.append("late")
        reasons.append("超过办理时限才答复")
    parts: dict[str, float | None] = {
        "relevance": rel,
        "completeness": completeness,
        "timeliness": on_time,
    }
    known = {k: w for k, w in WEIGHTS.items() if parts[k] is not None}
    total = sum(known.values())
    score = 100 * sum(w * float(parts[k] or 0.0) for k, w in known.items()) / total
    if perfunctory:
        score = min(score, PERFUNCTORY_CAP)
    return ReplyAssessment(round(score), tuple(flags), tuple(reasons), parts)
