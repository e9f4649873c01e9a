"""What the certification pages show, read in a fixed number of statements.

The eligibility page joins three cohort-wide reads: the eligibility report (its query count
does not depend on the cohort's size), the latest decisions (one query) and the certificates
of the cohort's learners (one query). The certificates list is paginated like the users list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_
from sqlalchemy.orm import contains_eager, joinedload

from lms.accounts.models import AuditEvent, User
from lms.attendance.requirements import shortfall_text
from lms.certificates.decisions import latest_decisions
from lms.certificates.eligibility import (
    EligibilityReport,
    Lack,
    LearnerEligibility,
    Missing,
    cohort_eligibility,
)
from lms.certificates.models import (
    PATH_SCOPE,
    Certificate,
    CertificateState,
    CertificationDecision,
)
from lms.cohorts.models import Cohort, Membership, MembershipRole
from lms.curriculum.models import TrainingPath
from lms.extensions import db

CERTIFICATES_PER_PAGE = 50
# The filters of the eligibility page, by the word the query string uses.
ELIGIBILITY_FILTERS = ("eligible", "not_eligible", "decided", "issued")


@dataclass(frozen=True)
class EligibilityRow:
    """One learner: what they lack, their latest decision, and their certificates by scope."""

    eligibility: LearnerEligibility
    decision: CertificationDecision | None
    certificates: Mapping[str, Certificate] = field(default_factory=dict)

    @property
    def learner(self) -> User:
        return self.eligibility.learner

    @property
    def path_certificate(self) -> Certificate | None:
        return self.certificates.get(PATH_SCOPE)

    def matches(self, wanted: str | None) -> bool:
        """Tell whether the row passes the filter ``wanted`` (None lets every row through)."""
        certificate = self.path_certificate
        return {
            None: True,
            "eligible": self.eligibility.is_eligible,
            "not_eligible": not self.eligibility.is_eligible,
            "decided": self.decision is not None,
            "issued": certificate is not None and certificate.is_valid,
        }[wanted]


@dataclass(frozen=True)
class EligibilityPage:
    """The cohort's report, its rows (filtered) and the labels of the proficiency scale."""

    report: EligibilityReport
    rows: list[EligibilityRow]
    levels: Mapping[int, str]
    # Learners whose latest decision awards the certificate and who hold no valid one yet.
    awaiting: int = 0

    def level_label(self, level: int | None) -> str:
        """Return a level as the page says it: its number and label, or "no evidence yet"."""
        if level is None:
            return _("no evidence yet")
        label = self.levels.get(level)
        return f"{level} ({label})" if label else str(level)


def scale_labels(path: TrainingPath) -> dict[int, str]:
    """Return the labels of the path's proficiency levels, by value."""
    return {level.value: level.label for level in path.proficiency_levels}


def cohort_learner_certificates(cohort: Cohort) -> dict[int, dict[str, Certificate]]:
    """Return, per learner of the cohort and scope, the valid certificate or else the latest one.

    Certificates are found by path, not by cohort: a learner who moved cohort keeps theirs.
    """
    learners = db.select(Membership.user_id).filter_by(
        cohort_id=cohort.id, role=MembershipRole.LEARNER
    )
    query = (
        db.select(Certificate)
        .where(Certificate.path_id == cohort.path_id, Certificate.learner_id.in_(learners))
        .order_by(Certificate.issued_at, Certificate.id)
    )
    found: dict[int, dict[str, Certificate]] = {}
    for certificate in db.session.scalars(query):
        by_scope = found.setdefault(certificate.learner_id, {})
        kept = by_scope.get(certificate.scope)
        if kept is None or not kept.is_valid:  # in order: the latest wins, a valid one stays
            by_scope[certificate.scope] = certificate
    return found


def eligibility_page(cohort: Cohort, wanted: str | None = None) -> EligibilityPage:
    """Return the cohort's eligibility rows, filtered by ``wanted`` (see ELIGIBILITY_FILTERS)."""
    report = cohort_eligibility(cohort)
    decisions = latest_decisions(cohort)
    certificates = cohort_learner_certificates(cohort)
    rows = [
        EligibilityRow(item, decisions.get(item.learner.id), certificates.get(item.learner.id, {}))
        for item in report.learners
    ]
    awaiting = sum(
        1
        for row in rows
        if row.decision is not None and row.decision.awards and not row.matches("issued")
    )
    return EligibilityPage(
        report,
        [row for row in rows if row.matches(wanted)],
        scale_labels(cohort.path),
        awaiting,
    )


# The CSV export ---------------------------------------------------------------------------------


def missing_text(item: Missing, page: EligibilityPage) -> str:
    """Describe one missing thing in words: a module and its gaps, or a competency's levels."""
    if item.lack is Lack.MODULE:
        inside = "; ".join(item.details)
        return f"{item.code} {item.title}" + (f" ({inside})" if inside else "")
    if item.lack is Lack.ATTENDANCE:
        return shortfall_text(item.level or 0, item.required_level or 0)
    return _(
        "%(code)s %(title)s: %(level)s, %(required)s required",
        code=item.code,
        title=item.title,
        level=page.level_label(item.level),
        required=page.level_label(item.required_level),
    )


def certificate_text(certificate: Certificate | None, states: Mapping[str, str]) -> str:
    """Describe a certificate for the export: its number and state, or nothing."""
    if certificate is None:
        return ""
    return f"{certificate.number} ({states[certificate.state]})"


def eligibility_csv_rows(
    page: EligibilityPage, outcomes: Mapping[str, str], states: Mapping[str, str]
) -> Iterator[list[Any]]:
    """Yield the export's header, then one line per learner (the same rows as the page)."""
    learners = page.report.learners
    blocks = [block.code for block in learners[0].blocks] if learners else []
    yes, no = _("yes"), _("no")
    yield [
        _("Learner"),
        _("Email"),
        _("Eligible for the path certificate"),
        _("Missing"),
        *(_("Block %(code)s validated", code=code) for code in blocks),
        _("Latest decision"),
        _("Decided on"),
        _("Decision reason"),
        _("Path certificate"),
        *(_("Attestation %(code)s", code=code) for code in blocks),
    ]
    for row in page.rows:
        decision = row.decision
        yield [
            row.learner.display_name,
            row.learner.email,
            yes if row.eligibility.is_eligible else no,
            " | ".join(missing_text(item, page) for item in row.eligibility.missing),
            *(yes if block.is_eligible else no for block in row.eligibility.blocks),
            outcomes[decision.outcome] if decision else "",
            decision.decided_at if decision else "",
            decision.reason if decision else "",
            certificate_text(row.path_certificate, states),
            *(certificate_text(row.certificates.get(code), states) for code in blocks),
        ]


# Certificates --------------------------------------------------------------------------------


def contains(text: str) -> str:
    """Return an ``ilike`` pattern matching ``text`` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def certificate_query(
    search: str = "",
    cohort_id: int | None = None,
    state: str = "",
    territory_ids: list[int] | None = None,
) -> Select:
    """Return the certificates matching a search (number, name, e-mail), cohort, state and
    territories (None: every territory)."""
    query = (
        db.select(Certificate)
        .join(Certificate.learner)
        .join(Certificate.cohort)
        .options(contains_eager(Certificate.learner), contains_eager(Certificate.cohort))
    )
    if search:
        pattern = contains(search)
        query = query.where(
            or_(
                Certificate.number.ilike(pattern, escape="\\"),
                Certificate.learner_name.ilike(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
            )
        )
    if cohort_id is not None:
        query = query.where(Certificate.cohort_id == cohort_id)
    if state in set(CertificateState):
        query = query.where(Certificate.state == state)
    if territory_ids is not None:
        query = query.where(Cohort.territory_id.in_(territory_ids))
    return query.order_by(Certificate.issued_at.desc(), Certificate.id.desc())


def certificate_page(query: Select, page: int) -> Pagination:
    """Return one page of certificates with their learners and cohorts (two statements)."""
    return db.paginate(query, page=page, per_page=CERTIFICATES_PER_PAGE, error_out=False)


def cohorts_by_name() -> list[Cohort]:
    """Return every cohort, by name, for the list's filter."""
    return list(db.session.scalars(db.select(Cohort).order_by(Cohort.name, Cohort.id)))


def supersession_chain(certificate: Certificate) -> list[Certificate]:
    """Return the certificates this one replaced and those that replaced it, oldest first."""
    chain = [certificate]
    while chain[0].supersedes is not None:
        chain.insert(0, chain[0].supersedes)
    while chain[-1].superseded_by is not None:
        chain.append(chain[-1].superseded_by)
    return chain


def certificate_audit(certificates: Iterable[Certificate]) -> list[AuditEvent]:
    """Return the audit events about these certificates, oldest first, with their actors."""
    ids = [str(certificate.id) for certificate in certificates]
    query = (
        db.select(AuditEvent)
        .where(AuditEvent.object_type == Certificate.__name__, AuditEvent.object_id.in_(ids))
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return list(db.session.scalars(query))


def learner_certificates(learner: User) -> Sequence[Certificate]:
    """Return the learner's certificates, newest first, with their cohort and replacement."""
    query = (
        db.select(Certificate)
        .filter_by(learner_id=learner.id)
        .options(joinedload(Certificate.cohort), joinedload(Certificate.superseded_by))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    return list(db.session.scalars(query))


def learner_path_certificates(learner: User, path_id: int) -> list[Certificate]:
    """Return the learner's certificates of a path, newest first."""
    query = (
        db.select(Certificate)
        .filter_by(learner_id=learner.id, path_id=path_id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    return list(db.session.scalars(query))
