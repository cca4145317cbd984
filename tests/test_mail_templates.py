"""E-mail copy lives in jobs/templates/mail/ and is rendered by jobs.mail_templates.render only.

tests/mail_golden.json holds the texts the composers gave before the copy moved into templates
(links made at MOMENT with the test secret): the composers must still give exactly these."""
from __future__ import annotations

import ast
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from core.clock import COPENHAGEN
from jobs import emails
from jobs.mail_templates import TEMPLATES, environment, purposes, render
from tests.conftest import ROOT

GOLDEN = json.loads((Path(__file__).parent / "mail_golden.json").read_text(encoding="utf-8"))
MOMENT = datetime(2026, 11, 23, 10, 0, tzinfo=COPENHAGEN)
LINK = "http://127.0.0.1:5000/virksomhed/opdater/abc"
EMPLOYER_LINK = {"first_name": "Ali", "company": "Pizzeria Napoli", "link": LINK, "link_days": 30}
REJECTION = {"first_name": "Ali", "company": "Pizzeria Napoli", "note": "Ring gerne.",
             "signup_link": "http://127.0.0.1:5000/virksomhed/tilmeld"}
PASSWORD_LINK = {"first_name": "Karen", "link": "http://127.0.0.1:5000/adgangskode/abc", "link_days": 3}

# One set of sample values per purpose: a new template without one fails test_every_template_has_a_sample.
SAMPLES = {
    "employer_thanks": {"contact_name": "Ali Hassan", "first_name": "Fatma", "outcome": "uddannelse"},
    "employer_checkin": {"contact_name": "", "first_name": "Fatma", "link": "http://127.0.0.1:5000/tjek-ind/abc",
                         "expires_on": date(2026, 12, 7)},
    "consultant_digest": {"consultant_name": "Karen Konsulent", "today": date(2026, 11, 23),
                          "items": [("Opfølgning", "Fatma", "http://127.0.0.1:5000/forloeb/1")],
                          "page_link": "http://127.0.0.1:5000/i-dag"},
    "signup_received": {**EMPLOYER_LINK, "link": None},
    "signup_updated": EMPLOYER_LINK,
    "signup_approved": EMPLOYER_LINK,
    "signup_new_link": EMPLOYER_LINK,
    "signup_rejected": REJECTION,
    "signup_update_rejected": {**REJECTION, "note": ""},
    "password_new_account": PASSWORD_LINK,
    "password_reset": PASSWORD_LINK,
    "second_factor_reset": {"first_name": "Karen", "link": "http://127.0.0.1:5000/login"},
}


def test_every_template_has_a_sample():
    names = {path.name for path in TEMPLATES.iterdir()}
    bodies = {name.removesuffix(".txt") for name in names
              if name.endswith(".txt") and not name.endswith(".subject.txt") and not name.startswith("_")}
    assert set(purposes()) == bodies, "every purpose has a subject and a body"
    htmls = {name.removesuffix(".html") for name in names if name.endswith(".html") and not name.startswith("_")}
    assert htmls <= bodies, "an HTML part goes with a plain-text body"
    assert set(SAMPLES) == set(purposes()), "add sample values for a new template to SAMPLES"


@pytest.mark.parametrize("purpose", sorted(SAMPLES))
def test_every_template_renders_with_its_sample(purpose):
    mail = render(purpose, **SAMPLES[purpose])
    assert mail.subject and "\n" not in mail.subject and "{" not in mail.subject
    assert mail.body_text.startswith(("Hej", "Kære")) and "{" not in mail.body_text
    assert "småjobs" in mail.body_text  # every e-mail is signed
    assert (mail.body_html is not None) == (TEMPLATES / f"{purpose}.html").exists()


def test_a_missing_value_is_an_error_not_an_empty_string():
    values = dict(SAMPLES["employer_checkin"])
    del values["link"]
    with pytest.raises(UndefinedError):
        render("employer_checkin", **values)


def test_html_is_escaped_and_plain_text_is_not():
    assert environment.autoescape("x.html") is True
    assert environment.autoescape("x.txt") is False and environment.autoescape("x.subject.txt") is False


def test_the_danish_filters_are_there():
    mail = render("employer_checkin", **SAMPLES["employer_checkin"])
    assert "virker til og med 7. december 2026." in mail.body_text


# --- the texts are exactly what they were -----------------------------------------------------------

def composed(db, config) -> dict[str, dict]:
    """Every composer with the inputs the golden texts were made from (see the module docstring)."""
    from web import accounts_admin, signup
    out = {}

    def add(name, subject, body):
        out[name] = {"subject": subject, "body_text": body}
    for outcome in ("beskaeftigelse", "uddannelse", "selvforsoerget", "ledighed", None):
        add(f"thanks/{outcome}", *emails.thank_you(contact_name="Ali Hassan", first_name="Fatma", outcome=outcome))
    add("thanks/no-contact", *emails.thank_you(contact_name=None, first_name="Fatma", outcome=None))
    add("checkin", *emails.checkin_request(contact_name="Ali Hassan", first_name="Fatma",
                                           link="http://127.0.0.1:5000/tjek-ind/abc", expires_on=date(2026, 12, 7)))
    add("checkin/no-contact", *emails.checkin_request(contact_name="  ", first_name="Fatma",
                                                      link="http://x/tjek-ind/abc", expires_on=date(2026, 12, 7)))
    items = [("Opfølgning", "Fatma", "http://127.0.0.1:5000/forloeb/1"),
             ("Rapport", "Samir", "http://127.0.0.1:5000/forloeb/2")]
    add("digest/two", *emails.digest(consultant_name="Karen Konsulent", today=date(2026, 11, 23), items=items,
                                     page_link="http://127.0.0.1:5000/i-dag"))
    add("digest/one", *emails.digest(consultant_name=None, today=date(2026, 11, 23), items=items[:1],
                                     page_link="http://127.0.0.1:5000/i-dag"))
    employer = {"id": "v-12345678", "name": "Pizzeria <Napoli>", "contact_name": "Ali Hassan",
                "contact_email": "ali@pizzeria.dk"}
    for purpose in ("new_link", "updated", "approved", "received"):
        for allowed in (True, False):
            message = signup.compose_email(config, purpose)(employer, "nonce123", allowed)
            add(f"signup/{purpose}/{allowed}", message["subject"], message["body_text"])
    message = signup.compose_email(config, "received")({**employer, "contact_name": None}, "nonce123", True)
    add("signup/received/no-name", message["subject"], message["body_text"])
    for kind in ("update", "new"):
        for note in ("", "Vi mangler jeres CVR-nummer.\nRing gerne."):
            message = signup.compose_rejection(config, note)(employer, kind)
            add(f"rejection/{kind}/{bool(note)}", message["subject"], message["body_text"])
    consultant = {"id": 7, "name": "Karen Konsulent", "email": "karen@example.dk", "password_hash": None}
    for new in (True, False):
        accounts_admin.queue_password_email(db, config, consultant, new_account=new, now=MOMENT)
        row = next(db.query("SELECT subject, body_text FROM outbox ORDER BY id DESC LIMIT 1"))
        add(f"password/{new}", row["subject"], row["body_text"])
    return out


def test_the_composers_give_exactly_the_texts_of_before(db, config, clock):
    clock.set(MOMENT)  # the links in the texts carry the time they were made
    assert composed(db, config) == GOLDEN


# --- no e-mail copy left in Python --------------------------------------------------------------------

PACKAGES = ("core", "data", "jobs", "web", "smajobs")


def python_files():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def calls(tree, name: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called == name:
                yield node


def literal_strings(node) -> list[str]:
    """The string constants an argument can be (a constant, or either side of `a if c else b`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return literal_strings(node.body) + literal_strings(node.orelse)
    return []


def test_no_e_mail_text_is_written_in_python():
    for path in python_files():
        source = path.read_text(encoding="utf-8")
        # Every e-mail is signed "Venlig hilsen / småjobs": a signature in code is copy in code.
        assert "Venlig hilsen" not in source, f"e-mail copy in {path.relative_to(ROOT)}"
        for call in calls(ast.parse(source), "enqueue"):
            for keyword in call.keywords:
                if keyword.arg in ("subject", "body_text", "body_html"):
                    assert not isinstance(keyword.value, (ast.Constant, ast.JoinedStr, ast.BinOp)), \
                        f"{path.relative_to(ROOT)}:{call.lineno}: {keyword.arg} written in Python"


def test_every_purpose_queued_in_code_has_a_template():
    rendered, signup_purposes = set(), set()
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in calls(tree, "render"):
            if call.args:
                rendered.update(literal_strings(call.args[0]))
        for call in calls(tree, "compose_email"):
            if len(call.args) > 1:
                signup_purposes.update(literal_strings(call.args[1]))
    # compose_email(config, "x") renders signup_x; the rejection composer names its two directly.
    rendered |= {f"signup_{purpose}" for purpose in signup_purposes}
    assert signup_purposes >= {"received", "updated", "approved", "new_link"}
    assert rendered, "no render() calls found"
    assert rendered <= set(purposes())
    assert set(purposes()) <= rendered, "a template nobody sends"
