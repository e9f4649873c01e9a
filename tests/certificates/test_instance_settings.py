"""Issuing reads its settings where every process of an instance reads them, and says what to set.

``lms demo`` keeps the certificate settings it needs in the instance's ``lms.cfg`` (never over an
operator's values), so that ``lms run``, gunicorn or a worker on the same instance folder issue
too. Without a setting, the learner's certification page says which one and where to set it.
The verification link follows ``LMS_BASE_URL``, else the address the issuing request came to.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lms.certificates.models import Certificate
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world
from tests.web.helpers import log_in, text

# A second process on the instance folder: issue Rayan's certificate (awarded by the demo, not
# issued) as a request to http://demo.example:8080 would, and print what the document says.
ISSUE_IN_ANOTHER_PROCESS = """
import json
from lms import create_app
from lms.accounts.services import find_user_by_email
from lms.certificates.models import Certificate
from lms.certificates.issuing import issue_certificate
from lms.cohorts.services import find_cohort
from lms.demo import GRADUATES_COHORT_NAME
from lms.extensions import db

app = create_app()
with app.test_request_context(base_url="http://demo.example:8080/"):
    cohort = find_cohort(GRADUATES_COHORT_NAME)
    admin = find_user_by_email("admin@demo.bien-vivre.example")
    rayan = find_user_by_email("rayan@demo.bien-vivre.example")
    elise = find_user_by_email("elise@demo.bien-vivre.example")
    certificate = issue_certificate(cohort, rayan, issued_by=admin)
    db.session.commit()
    print(json.dumps(certificate.document))
    print(db.session.scalar(db.select(Certificate).filter_by(learner_id=elise.id)).document[
        "verification_url"
    ])
"""


def instance_environment(instance: Path) -> dict[str, str]:
    """Return the environment of a process serving ``instance`` with no LMS_* setting of ours."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}
    return env | {"LMS_INSTANCE_PATH": str(instance), "LMS_SECRET_KEY": "x" * 40}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run a Python process in ``env``; fail the test with its output if it fails."""
    done = subprocess.run(  # noqa: S603  our own interpreter and scripts
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def demo_instance(tmp_path_factory) -> Path:
    """Build the demo once, in its own process, on an empty instance folder."""
    instance = tmp_path_factory.mktemp("demo") / "instance"
    run(
        instance_environment(instance),
        "-c",
        "from lms.cli import main; main()",
        "demo",
        "--no-serve",
    )
    return instance


def copy_of(instance: Path, tmp_path: Path) -> Path:
    """Return a copy of a built instance folder, for a test to change."""
    return Path(shutil.copytree(instance, tmp_path / "instance"))


def test_a_demo_instance_issues_from_another_process(demo_instance, tmp_path):
    instance = copy_of(demo_instance, tmp_path)
    env = instance_environment(instance)
    settings = (instance / "lms.cfg").read_text(encoding="utf-8")
    assert "CERTIFICATE_SIGNATORY_NAME = 'Claire Martin'" in settings

    printed, demo_link = run(env, "-c", ISSUE_IN_ANOTHER_PROCESS).stdout.splitlines()
    document = json.loads(printed)
    assert (document["signatory_name"], document["place"]) == ("Claire Martin", "Lille")
    assert document["verification_url"].startswith("http://demo.example:8080/verify/")
    # The demo's own certificate points where the demo serves (lms run's default address too).
    assert demo_link.startswith("http://127.0.0.1:5000/verify/")


def test_the_demo_never_overwrites_an_operators_settings(demo_instance, tmp_path):
    instance = copy_of(demo_instance, tmp_path)
    # The operator sets the place of signature (and removes the demo's): the demo, run again,
    # keeps it and adds nothing over it.
    settings = (instance / "lms.cfg").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in settings if not line.startswith("CERTIFICATE_PLACE")]
    (instance / "lms.cfg").write_text('CERTIFICATE_PLACE = "Nantes"\n' + "".join(kept))
    run(
        instance_environment(instance),
        "-c",
        "from lms.cli import main; main()",
        "demo",
        "--no-serve",
    )
    settings = (instance / "lms.cfg").read_text(encoding="utf-8")
    assert settings.startswith('CERTIFICATE_PLACE = "Nantes"\n')
    assert "CERTIFICATE_PLACE =" not in settings.split("\n", 1)[1]
    assert "CERTIFICATE_SIGNATORY_TITLE = " in settings


def test_instance_settings_are_added_only_where_missing(app, tmp_path, monkeypatch):
    from lms.core.instance_settings import add_instance_settings

    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    (tmp_path / "lms.cfg").write_text("CERTIFICATE_PLACE = ''\n", encoding="utf-8")
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNATORY_NAME", "Déjà Là")  # environment
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNATORY_TITLE", None)
    monkeypatch.setitem(app.config, "CERTIFICATE_PLACE", "")
    wanted = {
        "CERTIFICATE_SIGNATORY_NAME": "Claire Martin",
        "CERTIFICATE_SIGNATORY_TITLE": "Directrice",
        "CERTIFICATE_PLACE": "Lyon",
    }
    assert add_instance_settings(app, wanted) == ["CERTIFICATE_SIGNATORY_TITLE"]
    assert add_instance_settings(app, wanted) == []  # the second run finds it in the file
    written = {}
    exec((tmp_path / "lms.cfg").read_text(encoding="utf-8"), {}, written)  # noqa: S102
    assert written == {"CERTIFICATE_PLACE": "", "CERTIFICATE_SIGNATORY_TITLE": "Directrice"}
    assert app.config["CERTIFICATE_SIGNATORY_TITLE"] == "Directrice"
    assert app.config["CERTIFICATE_SIGNATORY_NAME"] == "Déjà Là"


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


def test_the_page_says_which_setting_is_missing_and_where_to_set_it(
    app, world, client, monkeypatch
):
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNATORY_NAME", None)
    monkeypatch.setitem(app.config, "CERTIFICATE_PLACE", " ")
    learner = world.eligible_learner()
    world.award(learner)
    log_in(client, world.admin)
    page = f"/admin/cohorts/{world.cohort.id}/learners/{learner.id}/certification"
    response = client.post(f"{page}/issue", data={"scope": "path"})
    assert response.headers["Location"] == page
    html = client.get(page).get_data(as_text=True)
    notice = html.split('id="certificate-settings-missing"', 1)[1].split("</section>", 1)[0]
    assert "<code>LMS_CERTIFICATE_SIGNATORY_NAME</code>" in notice
    assert "<code>LMS_CERTIFICATE_PLACE</code>" in notice
    assert "LMS_CERTIFICATE_SIGNATORY_TITLE" not in notice
    assert str(Path(app.instance_path) / "lms.cfg") in notice
    assert text("Restart every process that serves this instance after the change.") in notice
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_production_also_needs_the_public_address(app, world, client, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    monkeypatch.setitem(app.config, "BASE_URL", None)
    learner = world.eligible_learner()
    world.award(learner)
    log_in(client, world.admin)
    page = f"/admin/cohorts/{world.cohort.id}/learners/{learner.id}/certification"
    client.post(f"{page}/issue", data={"scope": "path"})
    html = client.get(page).get_data(as_text=True)
    assert "<code>LMS_BASE_URL</code>" in html.split('id="certificate-settings-missing"', 1)[1]
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_in_development_the_link_follows_the_address_the_site_is_served_at(world, client):
    learner = world.eligible_learner()
    world.award(learner)
    log_in(client, world.admin)
    # The site as a browser reaches it: the session cookie goes to that host too.
    client.set_cookie("session", client.get_cookie("session").value, domain="lms.test")
    page = f"/admin/cohorts/{world.cohort.id}/learners/{learner.id}/certification"
    client.post(f"{page}/issue", data={"scope": "path"}, headers={"Host": "lms.test:8080"})
    certificate = db.session.scalar(db.select(Certificate))
    expected = f"http://lms.test:8080/verify/{certificate.code}"
    assert certificate.document["verification_url"] == expected


def test_the_page_says_why_documents_cannot_be_signed(app, world, client, monkeypatch, tmp_path):
    from lms.core import pades

    monkeypatch.setitem(app.config, "SIGNING_PKCS12", str(tmp_path / "absent.p12"))
    pades.reset_signing_cache()
    learner = world.eligible_learner()
    world.award(learner)
    log_in(client, world.admin)
    page = f"/admin/cohorts/{world.cohort.id}/learners/{learner.id}/certification"
    client.post(f"{page}/issue", data={"scope": "path"})
    html = client.get(page).get_data(as_text=True)
    notice = html.split('id="signing-problem"', 1)[1].split("</section>", 1)[0]
    assert f"{tmp_path / 'absent.p12'} does not exist" in notice
    assert "certificate-settings-missing" not in html
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0
    monkeypatch.setitem(app.config, "SIGNING_PKCS12", None)  # no identity: nothing to say
    assert 'id="signing-problem"' not in client.get(page).get_data(as_text=True)
