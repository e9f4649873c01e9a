"""What each audit action means, in words: the audit log shows these, its CSV keeps the codes.

The codes are recorded by every domain (``record_audit_event``); this table only names them,
so the administration imports nothing from the domains that record them. A code missing here
is shown as it is (a test checks that every recorded code has its words).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_WORDS = {
    "assessment.extension": _l("Deadline extended"),
    "assessor.access": _l("External assessor's access changed"),
    "assessor.invite": _l("External assessor named"),
    "assessor.remove": _l("External assessor removed"),
    "certificate.batch": _l("Batch of certificates started"),
    "certificate.issue": _l("Certificate issued"),
    "certificate.reissue": _l("Certificate re-issued"),
    "certificate.revoke": _l("Certificate revoked"),
    "certification.decide": _l("Certification decision recorded"),
    "certification.override": _l("Certificate awarded despite the rules"),
    "cohort.archive": _l("Cohort archived"),
    "cohort.calendar": _l("Cohort calendar changed"),
    "cohort.create": _l("Cohort created"),
    "cohort.import": _l("Learners imported"),
    "cohort.retention_changed": _l("Cohort's evidence retention period changed"),
    "cohort.update": _l("Cohort changed"),
    "grade.change": _l("Released grade changed"),
    "indicators.publish": _l("Published results changed"),
    "grade.release_cohort": _l("Grades released to the cohort"),
    "membership.add": _l("Member added to a cohort"),
    "membership.funder": _l("Learner's funder changed"),
    "membership.remove": _l("Member removed from a cohort"),
    "retention.purge": _l("Data past its retention period purged"),
    "user.create": _l("Account created"),
    "user.create_admin": _l("Administrator created (command line)"),
    "user.deactivate": _l("Account deactivated"),
    "user.disable_2fa": _l("Two-step verification turned off"),
    "user.enable_2fa": _l("Two-step verification set up"),
    "user.end_sessions": _l("Sessions ended by an administrator"),
    "user.grant_admin": _l("Administrator rights granted"),
    "user.password_change": _l("Password changed"),
    "user.password_invitation": _l("Password chosen from an invitation"),
    "user.password_reset": _l("Password reset"),
    "user.reactivate": _l("Account reactivated"),
    "user.regenerate_recovery_codes": _l("New recovery codes made"),
    "user.reset_2fa": _l("Two-step verification removed (lost device)"),
    "user.revoke_admin": _l("Administrator rights removed"),
    "user.send_reset": _l("Password reset link sent"),
    "user.update": _l("Account changed"),
    "withdrawal.cancel": _l("Learner's withdrawal cancelled"),
    "withdrawal.record": _l("Learner's withdrawal recorded"),
}


def action_words(code: str) -> str:
    """Return what an audit action means, or its code when it has no words yet."""
    words = ACTION_WORDS.get(code)
    return str(words) if words is not None else code
