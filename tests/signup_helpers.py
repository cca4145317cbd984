"""Shared helpers for the employer form tests: a valid submission as the browser would send it."""
from __future__ import annotations

import re

import pytest

from matcher import NEEDS

VALID_CVR = "12345674"
OTHER_CVR = "12345682"


def csrf_token(page_html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_html).group(1)


def form_data(token: str, *, cvr: str = VALID_CVR, email: str = "ali@pizzeria.dk", openings: int = 1,
              **overrides) -> dict:
    data = {
        "csrf_token": token, "name": "Pizzeria Napoli", "cvr": cvr, "address": "Nørrebrogade 101",
        "postcode": "2200", "industry_code": "56", "industry_text": "", "contact_name": "Ali Demir",
        "contact_email": email, "contact_phone": "20 12 34 56", "languages": ["da", "tr"],
        "candidate_info": "noget", "talk_with": "konsulent", "consent_contact": "y", "consent_store": "y",
        "website": "", "submit": "Send tilmelding",
    }
    for i in range(openings):
        prefix = f"openings-{i}-"
        data.update({
            prefix + "title": "Køkkenhjælp" if i == 0 else f"Opvasker {i}",
            prefix + "tasks": "Skrælle grøntsager, lave pizzadej, tage opvask",
            prefix + "hours_min": "3", prefix + "hours_max": "12", prefix + "shifts": ["day", "evening"],
            prefix + "paid_hours": "from_start", prefix + "trial_weeks": "", prefix + "seats": "1",
        })
        for code in NEEDS:
            data[prefix + f"need_{code}"] = "ved_ikke"
        data[prefix + "need_flexible_breaks"] = "kan"
        data[prefix + "need_limited_danish"] = "kan"
        data[prefix + "need_service_dog"] = "kan_ikke"
    data.update(overrides)
    return data


@pytest.fixture
def signup_app(config):
    """The app with a rate limit high enough for many submissions (one test proves the 429)."""
    from web import create_app
    application = create_app(config.with_(signup_rate_limit="10000 per minute"))
    application.config.update(TESTING=True)
    return application


@pytest.fixture
def signup_client(signup_app):
    return signup_app.test_client()


def post_form(client, url: str = "/virksomhed/tilmeld", **kwargs):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data=form_data(token, **kwargs))
