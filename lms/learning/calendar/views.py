"""The calendar feed (public, by token) and the page where a person manages their address.

The address is shown once, in the answer to the POST that created or renewed it: only its hash
is kept, so the page cannot show it again later (a reload offers to post again, which renews).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import login_required
from lms.accounts.throttling import client_address
from lms.accounts.tokens import link_to
from lms.core.logging import security_event
from lms.core.transactions import unit_of_work
from lms.extensions import limiter
from lms.learning.calendar.services import feed_by_token, feed_ics, feed_of, issue_feed, revoke_feed

bp = Blueprint("calendar", __name__)

feed_limit = limiter.limit(
    lambda: current_app.config["RATELIMIT_CALENDAR"],
    scope="calendar-feed",
    key_func=client_address,
)
NOT_FOUND = "Not found\n"


# ``path``: a token with a slash still reaches the view and its one 404 answer.
@bp.get("/calendar/<path:token>.ics")
@feed_limit
def feed(token: str):
    """Answer the person's calendar; every unknown, malformed or revoked token: the same 404."""
    calendar_feed = feed_by_token(token)
    if calendar_feed is None:
        return Response(NOT_FOUND, status=404, mimetype="text/plain")
    body = feed_ics(calendar_feed.user)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'inline; filename="calendar.ics"'},
    )


@bp.get("/account/calendar")
@login_required
def settings():
    """Say whether the person has a calendar address, with the buttons to create, renew, revoke."""
    return render_template("learning/calendar/settings.html", feed=feed_of(current_user), url=None)


@bp.post("/account/calendar")
@login_required
def issue():
    """Create or renew the person's address, and show it this once."""
    renewing = feed_of(current_user) is not None
    with unit_of_work():
        token = issue_feed(current_user)
    security_event("calendar.renewed" if renewing else "calendar.created", user_id=current_user.id)
    url = link_to("calendar.feed", token=token)
    return render_template(
        "learning/calendar/settings.html", feed=feed_of(current_user), url=url, renewed=renewing
    )


@bp.post("/account/calendar/revoke")
@login_required
def revoke():
    """Delete the person's address: calendars subscribed to it stop receiving anything."""
    with unit_of_work():
        revoked = revoke_feed(current_user)
    if revoked:
        security_event("calendar.revoked", user_id=current_user.id)
        flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("calendar.settings"))
