"""The users list: search, filters, pagination, query count."""

from __future__ import annotations

import re

import pytest

from lms.accounts.sessions import start_session
from lms.extensions import db
from tests.admin.helpers import add_users, listed_users
from tests.factories import MembershipFactory, UserFactory
from tests.web.helpers import text


def page(client, **query) -> str:
    """Return the HTML of the users list for this query string."""
    response = client.get("/admin/users", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def row_of(html: str, user) -> str:
    """Return the table row of one user."""
    return re.search(rf'<tr data-user="{user.id}">.*?</tr>', html, re.S).group(0)


def test_each_user_shows_name_email_flags_cohorts_and_last_login(client, admin):
    learner = UserFactory(display_name="Bruno Learner", email="bruno@example.org")
    membership = MembershipFactory(user=learner)
    MembershipFactory(user=learner, trainer=True)
    start_session(learner)
    db.session.commit()
    ghost = UserFactory(inactive=True, display_name="Chloé Gone")
    html = page(client)
    row = row_of(html, learner)
    assert "Bruno Learner" in row
    assert "bruno@example.org" in row
    assert 'data-admin="false"' in row
    assert 'data-active="true"' in row
    assert text(membership.cohort.name) in row
    assert text("learner") in row
    assert text("trainer") in row
    assert text("Never") not in row
    assert 'data-active="false"' in row_of(html, ghost)
    assert text("Never") in row_of(html, ghost)
    assert 'data-admin="true"' in row_of(html, admin)


def test_users_are_sorted_by_name(client, admin):
    zoe = UserFactory(display_name="zoé Zed")
    bob = UserFactory(display_name="Bob Bee")
    assert listed_users(page(client)) == [str(admin.id), str(bob.id), str(zoe.id)]


@pytest.mark.parametrize("search", ["BRUNO@EXAMPLE", "learner", "  bruno  "])
def test_search_matches_email_or_name_whatever_the_case(client, admin, search):
    bruno = UserFactory(display_name="Bruno Learner", email="bruno@example.org")
    UserFactory(display_name="Someone Else")
    assert listed_users(page(client, q=search)) == [str(bruno.id)]


def test_search_takes_wildcards_literally(client, admin):
    underscore = UserFactory(email="a_b@example.org", display_name="Under Score")
    UserFactory(email="axb@example.org", display_name="Plain")
    percent = UserFactory(display_name="100% Bio")
    UserFactory(display_name="100 Bio")
    assert listed_users(page(client, q="a_b")) == [str(underscore.id)]
    assert listed_users(page(client, q="100%")) == [str(percent.id)]
    assert listed_users(page(client, q="\\")) == []


def test_search_without_match_says_so(client, admin):
    assert text("No user matches these filters.") in page(client, q="nobody-like-this")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", ["admin"]),
        ("trainer", ["trainer"]),
        ("learner", ["learner"]),
        ("none", ["admin", "outsider"]),
        ("", ["admin", "learner", "outsider", "trainer"]),
    ],
)
def test_role_filter(client, admin, role, expected):
    people = {
        "admin": admin,
        "learner": MembershipFactory(user=UserFactory(display_name="Learner")).user,
        "trainer": MembershipFactory(user=UserFactory(display_name="Trainer"), trainer=True).user,
        "outsider": UserFactory(display_name="Outsider"),
    }
    listed = listed_users(page(client, role=role))
    assert listed == [str(people[name].id) for name in expected]


@pytest.mark.parametrize(("status", "expected"), [("active", 2), ("inactive", 1), ("", 3)])
def test_status_filter(client, admin, status, expected):
    UserFactory(display_name="Still here")
    gone = UserFactory(inactive=True)
    listed = listed_users(page(client, status=status))
    assert len(listed) == expected
    assert (str(gone.id) in listed) == (status != "active")


def test_unknown_filter_value_is_refused_with_a_message(client, admin):
    html = page(client, role="superuser")
    assert listed_users(html) == []
    assert text("Correct the filters to see the users.") in html
    assert 'id="role-errors"' in html


def test_fifty_users_per_page_with_links_that_keep_the_filters(client, admin):
    add_users(120)
    first = page(client, q="bulk")
    assert len(listed_users(first)) == 50
    assert 'data-total-users="120"' in first
    assert 'href="/admin/users?page=2&amp;q=bulk" rel="next"' in first
    assert 'aria-current="page" aria-label="' + text("Page %(num)d", num=1) + '"' in first
    third = page(client, q="bulk", page=3)
    assert len(listed_users(third)) == 20
    assert 'rel="prev"' in third
    assert 'rel="next"' not in third
    pages = [set(listed_users(page(client, q="bulk", page=n))) for n in (1, 2, 3)]
    assert len(set.union(*pages)) == 120


@pytest.mark.parametrize("number", ["0", "-3", "abc", "99999999999999999999"])
def test_nonsense_page_numbers_show_a_page(client, admin, number):
    add_users(3)
    response = client.get("/admin/users", query_string={"page": number})
    assert response.status_code == 200


def populate(count: int) -> None:
    """Add ``count`` users, half of them in cohorts, some with past logins."""
    users = add_users(count, prefix=f"pop{count}-")
    cohort = MembershipFactory().cohort
    for index, user in enumerate(users[: count // 2]):
        MembershipFactory(user=user, cohort=cohort, trainer=index % 5 == 0)
        if index % 3 == 0:
            start_session(user)
    db.session.commit()


def test_query_count_does_not_grow_with_users(client, admin, query_counter):
    populate(10)
    with query_counter as few:
        client.get("/admin/users")
    few_count = few.count
    populate(200)
    db.session.expire_all()
    with query_counter as many:
        html = client.get("/admin/users").get_data(as_text=True)
    assert len(listed_users(html)) == 50
    assert many.count == few_count
