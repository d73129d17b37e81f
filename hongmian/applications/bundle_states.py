"""The combined status of a life-event bundle (一件事), derived from its parts' statuses —
never stored, so that it cannot drift from what the departments did (decision 0068)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from hongmian.applications.states import Status


class BundleStatus(models.TextChoices):
    DRAFT = "draft", _("填写中")  # nothing submitted yet
    SUBMITTED = "submitted", _("已提交，等待各部门受理")  # no part accepted yet
    PARTLY_ACCEPTED = "partly_accepted", _("部分部门已受理")  # some accepted, some waiting
    IN_REVIEW = "in_review", _("全部受理，办理中")  # every part accepted, none decided-all
    CORRECTION = "correction", _("待补正")  # a department returned its part for correction
    DONE = "done", _("全部办结")  # every part approved (its result issued or archived)
    PARTLY_REJECTED = "partly_rejected", _("已办结，部分不予许可")  # decided, some refused
    WITHDRAWN = "withdrawn", _("已撤回")  # compensated: a part was refused at the door


# The statuses of a part decided in the applicant's favour.
_GRANTED = frozenset({Status.APPROVED, Status.RESULT_ISSUED})
_WAITING = frozenset({Status.SUBMITTED})
_TAKEN = frozenset({Status.ACCEPTED, Status.UNDER_REVIEW})


def combined_status(statuses: Iterable[str], *, withdrawn: bool = False) -> BundleStatus:
    """The bundle's status from its parts' statuses. A withdrawn bundle (compensated) is
    withdrawn whatever its parts went on to; a part in 补正 shows before the rest, since
    it waits on the applicant; an archived part counts as granted unless it was refused."""
    parts = [Status(s) for s in statuses]
    if withdrawn or Status.NOT_ACCEPTED in parts or Status.WITHDRAWN in parts:
        return BundleStatus.WITHDRAWN
    if not parts or all(s == Status.DRAFT for s in parts):
        return BundleStatus.DRAFT
    if Status.CORRECTION in parts:
        return BundleStatus.CORRECTION
    if any(s in _WAITING for s in parts):
        return (
            BundleStatus.SUBMITTED
            if all(s in _WAITING for s in parts)
            else BundleStatus.PARTLY_ACCEPTED
        )
    if any(s in _TAKEN for s in parts):
        return BundleStatus.IN_REVIEW
    if Status.REJECTED in parts:
        return BundleStatus.PARTLY_REJECTED
    return BundleStatus.DONE
