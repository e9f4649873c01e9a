"""The layout: language, landmarks, skip link, stylesheet, navigation by role, flashes."""

from __future__ import annotations

import re

import pytest

from tests.factories import MembershipFactory, UserFactory
from tests.web.helpers import log_in, text


def nav_links(html: str) -> list[str]:
    """Return the targets of the main navigation's links."""
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<li><a href="([^"]+)"', nav)


def test_layout_has_landmarks_skip_link_and_title(client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'<a class="skip-link" href="#main">', html)
    assert '<main id="main"' in html
    for landmark in ("<header", "<nav", "<footer"):
        assert landmark in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith(text("Log in"))


def test_stylesheet_is_bundled(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/css/app.css">' in html
    assert "http" not in "".join(re.findall(r"<link[^>]*>", html))
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    css = response.get_data(as_text=True)
    assert ":focus-visible" in css
    assert "@import" not in css
    assert "url(" not in css  # no external font or image
    response.close()


def test_anonymous_navigation_offers_login_only(client):
    html = client.get("/login").get_data(as_text=True)
    assert nav_links(html) == ["/login"]
    assert "/logout" not in html


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (
            (),
            ["/dashboard", "/competencies", "/schedule", "/projects", "/surveys", "/certificates"],
        ),
        (
            ("learner",),
            ["/dashboard", "/competencies", "/schedule", "/projects", "/surveys", "/certificates"],
        ),
        (("trainer",), ["/manage/cohorts/", "/manage/grading", "/marking"]),
        (
            ("learner", "trainer"),
            [
                "/dashboard",
                "/competencies",
                "/schedule",
                "/projects",
                "/surveys",
                "/certificates",
                "/manage/cohorts/",
                "/manage/grading",
                "/marking",
            ],
        ),
        (("admin",), ["/admin/"]),
        (("admin", "trainer"), ["/manage/cohorts/", "/manage/grading", "/marking", "/admin/"]),
        (
            ("admin", "learner"),
            [
                "/dashboard",
                "/competencies",
                "/schedule",
                "/projects",
                "/surveys",
                "/certificates",
                "/admin/",
            ],
        ),
    ],
)
def test_navigation_depends_on_the_roles(client, roles, expected):
    user = UserFactory(admin="admin" in roles)
    if "learner" in roles:
        MembershipFactory(user=user)
    if "trainer" in roles:
        MembershipFactory(user=user, trainer=True)
    log_in(client, user)
    # A trainer who is no learner is taken from the dashboard to their cohorts.
    html = client.get("/dashboard", follow_redirects=True).get_data(as_text=True)
    assert nav_links(html) == expected


def test_current_page_is_marked_in_the_navigation(client):
    log_in(client, UserFactory())
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<a href="/dashboard" aria-current="page">' in html


def test_logout_is_a_post_form_with_a_csrf_token(client, csrf_enabled):
    user = UserFactory(display_name="Léa <b>Martin</b>")
    log_in(client, user)
    html = client.get("/dashboard").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/logout".*?</form>', html, re.S).group(0)
    assert 'name="csrf_token" value="' in form
    assert text("Log out") in form
    assert "Léa &lt;b&gt;Martin&lt;/b&gt;" in html


def test_flashed_messages_have_a_role(client):
    log_in(client, UserFactory())
    client.post("/logout")
    html = client.get("/login").get_data(as_text=True)
    assert f'role="status">{text("You have been logged out.")}</p>' in html
    html = client.get("/dashboard", follow_redirects=True).get_data(as_text=True)
    assert f'role="status">{text("Please log in to see this page.")}</p>' in html


def test_form_errors_are_announced_and_tied_to_their_field(client):
    html = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="email-errors"' in html
    assert 'id="email-errors"' in html


def test_the_user_name_leads_to_the_account_pages(client):
    user = UserFactory(display_name="Zoé <Martin>")
    log_in(client, user)
    html = client.get("/dashboard").get_data(as_text=True)
    link = re.search(r'<a class="site-nav__user" href="([^"]+)"[^>]*>([^<]*)</a>', html)
    assert link.groups() == ("/account/sessions", "Zoé &lt;Martin&gt;")
