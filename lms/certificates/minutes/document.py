"""What the jury's minutes (« procès-verbal de délibération ») say, as plain values.

The jury freezes everything the minutes show into a ``MinutesDocument`` when its president
closes the deliberation; ``lms.certificates.minutes`` renders it to HTML and PDF/A without
touching the database or any ORM object (SECURITY.md G27).
The same document always renders the same bytes, so the PDF's SHA-256 can be recorded and the
file rebuilt. CERTIFICATION-FR.md §1 lists what the minutes of a certifying jury must state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# A candidate's result: the whole certification, some blocks (« validation partielle »),
# deferred to a later jury (« ajourné·e »), refused.
RESULTS = ("total", "partial", "deferred", "refused")


@dataclass(frozen=True)
class MinutesMember:
    """A member of the jury, with the seat they hold (« professionnel·le extérieur·e »…)."""

    name: str
    seat: str
    is_external: bool  # external to the certifying organisation
    is_president: bool
    organisation: str  # "" when none


@dataclass(frozen=True)
class MinutesBlock:
    """A block of competencies of the path, and whether the jury validated it for a candidate."""

    code: str
    title: str
    is_validated: bool


@dataclass(frozen=True)
class MinutesVote:
    """One member's proposal for a candidate, in words (« Validation partielle : BC1, BC2 »)."""

    member: str
    proposal: str


@dataclass(frozen=True)
class MinutesCandidate:
    """A candidate, the jury's decision on the path and on each block, and how it was reached."""

    name: str
    result: str  # one of RESULTS
    blocks: tuple[MinutesBlock, ...]
    votes: tuple[MinutesVote, ...]
    recused: tuple[str, ...]  # names of the members recused for this candidate
    recommendations: str  # the jury's « préconisations », may be ""


@dataclass(frozen=True)
class MinutesDocument:
    """Everything the minutes of one closed deliberation state, frozen at closing."""

    reference: str
    certifier: str
    path_title: str
    path_version: int
    rncp_code: str  # "" when the certification has none (yet)
    cohort_name: str
    held_on: date
    place: str
    is_remote: bool
    majority_rule: str  # in words
    members: tuple[MinutesMember, ...]
    candidates: tuple[MinutesCandidate, ...]
    closed_at: datetime  # aware; printed in Europe/Paris time
    signed_place: str  # « Lyon »
    language: str = "fr"
