"""Property-based: bad input in any one field of the employer form gives a Danish error next to
that field, keeps what was typed, and stores nothing."""
from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from stdnum.dk import cvr as cvr_number

from data.postcodes import lookup
from data.signups import counts
from matcher import NEEDS
from tests.signup_helpers import csrf_token, form_data, signup_app, signup_client  # noqa: F401

LETTERS = st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" -.,æøåÆØÅ")
MARKUP = st.sampled_from(["<script>alert(1)</script>", "<b>fed</b>", "<img src=x onerror=alert(1)>",
                          "javascript:alert(1)", "Pizza &amp; co", "hej\x00med", "tab\x07klokke"])


def too_long(limit: int):
    return st.text(LETTERS, min_size=limit + 1, max_size=limit + 40).filter(lambda s: len(s.strip()) > limit)


def required_text(limit: int):
    return st.one_of(st.sampled_from(["", "   "]), too_long(limit), MARKUP)


def not_a_number():
    return st.one_of(st.text(st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=8),
                     st.sampled_from(["3,5", "1e3", "½"]))


def out_of_range(low: int, high: int):
    return st.one_of(st.integers(max_value=low - 1, min_value=-1000), st.integers(min_value=high + 1, max_value=10**6)).map(str)


def bad_choice():
    return st.text(LETTERS, min_size=1, max_size=20).filter(lambda s: s.strip() not in {
        "kan", "kan_ikke", "ved_ikke", "day", "evening", "night", "weekend", "from_start", "after_trial",
        "possible", "no", "lidt", "noget", "meget", "borger", "konsulent", "begge"} and not s.isdigit())


def _bad_phone(value: str) -> bool:
    try:
        return not phonenumbers.is_valid_number(phonenumbers.parse(value, "DK"))
    except phonenumbers.NumberParseException:
        return True


BAD_CVR = st.one_of(
    st.from_regex(r"\A[1-9][0-9]{7}\Z").filter(lambda s: not cvr_number.is_valid(s)),
    st.from_regex(r"\A[0-9]{1,7}\Z"), st.from_regex(r"\A[0-9]{9,12}\Z"), st.text(st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=10),
    st.just(""),
)
BAD_POSTCODE = st.one_of(st.from_regex(r"\A[0-9]{4}\Z").filter(lambda s: lookup(s) is None),
                         st.from_regex(r"\A[0-9]{1,3}\Z"), st.text(st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=6),
                         st.just(""))
BAD_EMAIL = st.one_of(st.text(LETTERS, min_size=1, max_size=30).filter(lambda s: s.strip() and "@" not in s),
                      st.sampled_from(["ali@", "@pizzeria.dk", "ali@@pizzeria.dk", "ali pizza@dk", ""]))
BAD_PHONE = st.one_of(st.from_regex(r"\A[0-9]{1,7}\Z"), st.from_regex(r"\A[0-9]{9,14}\Z"),
                      st.text(st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=10),
                      st.just("")).filter(_bad_phone)

# (form field name, the id its error is shown under, strategy of bad values, kept as typed?)
CASES = [
    ("name", "name", required_text(200), True),
    ("cvr", "cvr", BAD_CVR, True),
    ("address", "address", required_text(200), True),
    ("postcode", "postcode", BAD_POSTCODE, True),
    ("industry_code", "industry_code", bad_choice(), False),
    ("industry_text", "industry_text", st.one_of(too_long(200), MARKUP), True),
    ("contact_name", "contact_name", required_text(200), True),
    ("contact_email", "contact_email", BAD_EMAIL, True),
    ("contact_phone", "contact_phone", BAD_PHONE, True),
    ("languages", "languages", bad_choice(), False),
    ("openings-0-title", "openings-0-title", required_text(200), True),
    ("openings-0-tasks", "openings-0-tasks", required_text(2000), True),
    ("openings-0-hours_min", "openings-0-hours_min", st.one_of(not_a_number(), out_of_range(1, 37)), True),
    ("openings-0-hours_max", "openings-0-hours_max", st.one_of(not_a_number(), out_of_range(1, 37), st.sampled_from(["1", "2"])), True),
    ("openings-0-shifts", "openings-0-shifts", st.one_of(bad_choice(), st.just([])), False),
    ("openings-0-paid_hours", "openings-0-paid_hours", bad_choice(), False),
    ("openings-0-seats", "openings-0-seats", st.one_of(not_a_number(), out_of_range(1, 100), st.just("")), True),
    *[(f"openings-0-need_{code}", f"openings-0-need_{code}", bad_choice(), False) for code in NEEDS],
    ("candidate_info", "candidate_info", st.one_of(bad_choice(), st.just(None)), False),
    ("talk_with", "talk_with", st.one_of(bad_choice(), st.just(None)), False),
    ("consent_contact", "consent_contact", st.just(None), False),
    ("consent_store", "consent_store", st.just(None), False),
]


@pytest.mark.parametrize("name, error_id, strategy, kept", CASES, ids=[c[0] for c in CASES])
def test_bad_input_in_any_field_is_refused_next_to_that_field(signup_client, db, name, error_id, strategy, kept):
    token = csrf_token(signup_client.get("/virksomhed/tilmeld").get_data(as_text=True))

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(value=strategy)
    def check(value):
        before = counts(db)
        data = form_data(token)
        if name == "openings-0-hours_max" and value in ("1", "2"):
            data["openings-0-hours_min"] = "5"  # max below min
        if value is None:
            del data[name]
        else:
            data[name] = value
        response = signup_client.post("/virksomhed/tilmeld", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, (name, value)
        errors = re.findall(rf'id="{re.escape(error_id)}-error">([^<]+)<', page)
        assert errors, (name, value, re.findall(r'id="([^"]+)-error">([^<]*)', page))
        assert all(re.search(r"[a-zæøå]", e) and "valid" not in e.lower() for e in errors)  # Danish, not WTForms' English
        assert "Noget mangler eller er forkert" in page
        if kept and isinstance(value, str) and value.strip():
            assert str(escape(value.strip())) in page
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>fed" not in page
        assert counts(db) == before

    check()


def test_trial_weeks_needed_after_trial(signup_client, db):
    token = csrf_token(signup_client.get("/virksomhed/tilmeld").get_data(as_text=True))
    for weeks in ("", "0", "53", "abc"):
        before = counts(db)
        data = form_data(token, **{"openings-0-paid_hours": "after_trial", "openings-0-trial_weeks": weeks})
        page = signup_client.post("/virksomhed/tilmeld", data=data).get_data(as_text=True)
        assert re.search(r'id="openings-0-trial_weeks-error">[^<]*(uger|tal)', page), weeks
        assert counts(db) == before
