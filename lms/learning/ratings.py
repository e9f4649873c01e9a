"""Competency ratings as the learning domain receives them: plain values and the merge rule.

The ratings come from a higher domain (``assessments``: released rubric grades), which answers the
``competency_ratings`` signal of ``lms.learning.signals`` with ``RatingView`` values. This module
imports nothing from the application, so that any domain may build these values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

RatingKey = tuple[int, int]  # (user id, competency id)


class EvidenceItem(NamedTuple):
    """What evidences a rating, in words, and the page of this site that shows it (or None).

    The receiver builds the URL for the reader it was asked for (``audience`` of the
    ``competency_ratings`` signal), so that ``learning`` links to pages it knows nothing about.
    """

    label: str
    url: str | None = None


def _evidence_item(value: object) -> EvidenceItem:
    """Return a string or a (label, url) pair as an ``EvidenceItem``; refuse anything else.

    A URL must be a path of this site (``/…``, never ``//host`` nor ``javascript:``): evidence
    links never lead elsewhere, whoever built them.
    """
    if isinstance(value, str):
        return EvidenceItem(value)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        label, url = value
        if url is None or (isinstance(url, str) and _is_local_path(url)):
            return EvidenceItem(label, url)
    raise ValueError(
        f"Rating evidence is a tuple of strings or (label, local URL) pairs, not {value!r}."
    )


def _is_local_path(url: str) -> bool:
    """Tell whether ``url`` is a path of this site (no scheme, no host)."""
    return url.startswith("/") and not url.startswith(("//", "/\\")) and "\\" not in url


@dataclass(frozen=True)
class RatingView:
    """A learner's current level in one competency, when it was rated and what evidences it.

    ``level`` is a value of the path's proficiency scale; 0 (the scale's "not assessed") counts
    as no evidence. ``rated_at`` is timezone-aware; ``evidence`` names what produced the rating
    (e.g. "M3 · Carte des alliances, graded on 12 May"), each item a string or a
    ``(label, url)`` pair, kept as ``EvidenceItem`` values.
    """

    level: int
    rated_at: datetime | None = None
    evidence: tuple[EvidenceItem, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.level, bool) or not isinstance(self.level, int) or self.level < 0:
            raise ValueError(f"A rating level is a whole number ≥ 0, not {self.level!r}.")
        if self.rated_at is not None and self.rated_at.utcoffset() is None:
            raise ValueError(f"A rating time must be timezone-aware, not {self.rated_at!r}.")
        if not isinstance(self.evidence, tuple):
            raise ValueError(
                f"Rating evidence is a tuple of strings or (label, local URL) pairs, "
                f"not {self.evidence!r}."
            )
        object.__setattr__(self, "evidence", tuple(_evidence_item(e) for e in self.evidence))

    @property
    def is_evidence(self) -> bool:
        """Tell whether the rating says anything (level 0 means "not assessed")."""
        return self.level > 0


def _recency(view: RatingView) -> tuple:
    """Order ratings: dated after undated, later after earlier, then higher after lower."""
    return (view.rated_at is not None, view.rated_at, view.level)


def merge_ratings(
    answers: Iterable[tuple[object, Mapping[RatingKey, RatingView]]],
) -> dict[RatingKey, RatingView]:
    """Merge the receivers' answers: per (user, competency), the most recent rating wins.

    The rule, whatever the order the receivers answer in: the rating with the latest
    ``rated_at`` wins; an undated rating loses to any dated one; at the same time, the higher
    level wins. Raise ``TypeError`` naming the receiver when an answer is not made of
    ``RatingView`` values keyed by ``(user id, competency id)``.
    """
    merged: dict[RatingKey, RatingView] = {}
    for receiver, answer in answers:
        if not isinstance(answer, Mapping):
            raise TypeError(f"{receiver!r} answered {answer!r}, not a mapping of ratings.")
        for key, view in answer.items():
            if not isinstance(view, RatingView) or not _is_key(key):
                raise TypeError(f"{receiver!r} answered {key!r}: {view!r}, not a RatingView.")
            if key not in merged or _recency(view) > _recency(merged[key]):
                merged[key] = view
    return merged


def _is_key(key: object) -> bool:
    """Tell whether ``key`` is a (user id, competency id) pair."""
    return isinstance(key, tuple) and len(key) == 2 and all(isinstance(i, int) for i in key)
