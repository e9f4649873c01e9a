"""The retention page: central administrators see the periods and what the purge would do."""

from __future__ import annotations

import re
from datetime import date

from lms.extensions import db
from lms.quality.retention.rules import RULES
from lms.quality.retention.views import RULE_LABELS
from tests.factories import CohortFactory, MembershipFactory, UserFactory
from tests.quality.retention.world import build_world, years_ago
from tests.web.helpers import log_in


def page(client):
    log_in(client, UserFactory(admin=True))
    response = client.get("/admin/retention/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_rule_has_its_label():
    assert {rule.name for rule in RULES} == set(RULE_LABELS)


def test_the_page_shows_periods_cohorts_and_counts(client):
    world = build_world()
    CohortFactory(
        name="Promotion FSE",
        starts_on=years_ago(9, 1, 1),
        ends_on=years_ago(8),
        evidence_retention_years=10,
    )
    html = page(client)
    assert re.search(r'data-setting="evidence">6 years<', html)
    assert re.search(r'data-setting="surveys">3 years<', html)
    old = re.search(rf'data-cohort="{world.old_cohort_id}">(.*?)</tr>', html, re.S).group(1)
    assert f"December 31, {date.today().year - 1}" in old
    assert 'data-past="yes"' in old
    assert "10 years" in html
    assert "(its own)" in html
    submissions = re.search(r"Submissions: files deleted, texts blanked</th>(.*?)</tr>", html, re.S)
    assert 'data-rows-now="4"' in submissions.group(1)
    assert "lms purge --dry-run" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(db.table("audit_events"))) == 2


def test_the_page_reads_a_constant_number_of_queries(client, query_counter):
    admin = UserFactory(admin=True)
    log_in(client, admin)
    counts = []
    for size in (1, 6):
        for _ in range(size):
            cohort = CohortFactory(starts_on=years_ago(9, 1, 1), ends_on=years_ago(8))
            MembershipFactory(cohort=cohort)
        with query_counter:
            assert client.get("/admin/retention/").status_code == 200
        counts.append(query_counter.count)
    assert counts[0] == counts[1]
