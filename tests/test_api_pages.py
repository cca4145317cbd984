"""/api/v1 lists in pages (limit, cursor, Link header), report due dates over the API, and
when an API token was last used."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from data import accounts, placements, registry
from data.accounts import create_consultant
from data.exchange import parse_document
from tests.api_contract import ContractClient, make_token

OWNER, OTHER, ADMIN = "konsulent@example.dk", "anden@example.dk", "admin@example.dk"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# Names that sort differently by case, by Danish letters and by id, with repeats.
NAMES = ("Anna", "anna", "Ali", "Bo", "bo", "Émile", "Øjvind", "Åse", "Zara", "Mette", "Søren", "Ida")


@pytest.fixture
def api(app, client, demo_db):
    ids = {"owner": create_consultant(demo_db, email=OWNER, name="Karen", password_hash=None),
           "other": create_consultant(demo_db, email=OTHER, name="Anders", password_hash=None),
           "admin": create_consultant(demo_db, email=ADMIN, name="Ada", password_hash=None, role="admin")}
    contract = ContractClient(app, client)
    return SimpleNamespace(app=app, db=demo_db, ids=ids, call=contract.call,
                           **{who: make_token(demo_db, i) for who, i in ids.items()})


def add_citizens(db, consultant: str, count: int, prefix: str) -> list[str]:
    citizens = [{"id": f"{prefix}-{n:03d}", "first_name": NAMES[n * 7 % len(NAMES)], "postcode": "8000",
                 "consultant": consultant} for n in range(count)]
    registry.import_document(db, parse_document({"citizens": citizens}))
    return [c["id"] for c in citizens]


def next_link(response) -> str | None:
    """The path and query of the Link rel="next" target (RFC 8288), or None on the last page."""
    header = response.headers.get("Link")
    if header is None:
        return None
    match = re.fullmatch(r'<([^>]+)>; rel="next"', header)
    assert match, header
    url = urlsplit(match.group(1))
    assert url.scheme == "http" and url.netloc == "localhost"  # absolute, as RFC 8288 readers expect
    return f"{url.path}?{url.query}"


def walk_pages(api, first: str, token: str, key: str, between_pages=None) -> list[list[dict]]:
    pages, path = [], first
    while path is not None:
        response = api.call("GET", path, token=token)
        assert response.status_code == 200, response.get_json()
        pages.append(response.get_json()[key])
        if between_pages is not None:
            between_pages(len(pages))
        path = next_link(response)
        assert len(pages) < 100, "the pages never end"
    return pages


# --- paging ----------------------------------------------------------------------------------------

def test_250_citizens_in_pages_of_100_each_once_in_order_despite_an_insert(api):
    own = add_citizens(api.db, OWNER, 250, "cit-p")
    add_citizens(api.db, OTHER, 30, "cit-o")
    demo_own = {c["id"] for c in registry.list_citizens(api.db, OWNER)} - set(own)
    unpaged = [c["id"] for c in registry.list_citizens(api.db, OWNER)]

    def insert_between_pages(pages_read: int) -> None:
        if pages_read == 1:
            # One sorts before the pages already read, one after; neither may disturb the rest.
            registry.save_citizen(api.db, {"id": "cit-new-a", "first_name": "Aaron", "postcode": "8000",
                                           "consultant": OWNER})
            registry.save_citizen(api.db, {"id": "cit-new-z", "first_name": "Zoe", "postcode": "8000",
                                           "consultant": OWNER})

    pages = walk_pages(api, "/api/v1/citizens?limit=100", api.owner, "citizens", insert_between_pages)
    seen = [c["id"] for page in pages for c in page]
    assert [len(p) for p in pages][:2] == [100, 100]
    assert len(seen) == len(set(seen)), "a citizen came twice"
    assert set(seen) == set(own) | demo_own | {"cit-new-z"}  # Aaron sorts before the cursor
    after = [c["id"] for c in registry.list_citizens(api.db, OWNER)]
    assert seen == [i for i in after if i != "cit-new-a"]  # the unpaged order, names and ids alike
    assert [i for i in seen if i in unpaged] == unpaged
    assert all(c["consultant"] == OWNER for page in pages for c in page)


def test_default_page_is_100_and_the_link_keeps_the_filters(api):
    add_citizens(api.db, OTHER, 130, "cit-o")
    first = api.call("GET", f"/api/v1/citizens?consultant={OTHER}", token=api.admin)
    assert len(first.get_json()["citizens"]) == 100
    following = next_link(first)
    query = parse_qs(urlsplit(following).query)
    assert query["consultant"] == [OTHER] and query["limit"] == ["100"] and len(query["cursor"]) == 1
    second = api.call("GET", following, token=api.admin)
    assert len(second.get_json()["citizens"]) == 30 and "Link" not in second.headers
    assert all(c["consultant"] == OTHER for c in first.get_json()["citizens"] + second.get_json()["citizens"])
    whole = api.call("GET", f"/api/v1/citizens?consultant={OTHER}&limit=500", token=api.admin)
    assert len(whole.get_json()["citizens"]) == 130 and "Link" not in whole.headers


def test_another_consultant_never_sees_someone_elses_citizens_in_any_page(api):
    owners = set(add_citizens(api.db, OWNER, 40, "cit-p")) | {"cit-fatma", "cit-samir", "cit-sofie"}
    others = add_citizens(api.db, OTHER, 25, "cit-o")
    pages = walk_pages(api, "/api/v1/citizens?limit=7", api.other, "citizens")
    assert len(pages) == 4
    assert {c["id"] for page in pages for c in page} == set(others)
    # The owner's cursor (the same list) in the other's hands still only reaches their own.
    owner_cursor = next_link(api.call("GET", "/api/v1/citizens?limit=5", token=api.owner))
    rest = api.call("GET", owner_cursor, token=api.other).get_json()["citizens"]
    assert rest and not owners & {c["id"] for c in rest}
    assert api.call("GET", f"/api/v1/citizens?consultant={OWNER}&limit=5", token=api.other).status_code == 403


@pytest.mark.parametrize("value", ["abc", "0", "-3", "501", "", "2.5", "1e3"])
def test_bad_limit_is_400_in_danish_naming_the_parameter(api, value):
    response = api.call("GET", f"/api/v1/citizens?limit={value}", token=api.owner)
    assert response.status_code == 400
    body = response.get_json()
    assert "Ugyldig parameter 'limit'" in body["message"] and "mellem 1 og 500" in body["message"]
    assert [p["field"] for p in body["problems"]] == ["limit"]


def test_bad_cursor_is_400(api):
    add_citizens(api.db, OWNER, 12, "cit-p")
    good = parse_qs(urlsplit(next_link(api.call("GET", "/api/v1/citizens?limit=5", token=api.owner))).query)
    cursor = good["cursor"][0]
    flipped = cursor[:40] + ("A" if cursor[40] != "A" else "B") + cursor[41:]
    employers_cursor = parse_qs(urlsplit(next_link(
        api.call("GET", "/api/v1/employers?limit=5", token=api.owner))).query)["cursor"][0]
    for bad in ("nonsense", flipped, cursor[:-4], employers_cursor, " "):
        response = api.call("GET", "/api/v1/citizens", token=api.owner, query_string={"cursor": bad})
        assert response.status_code == 400, bad
        body = response.get_json()
        assert "Ugyldig parameter 'cursor'" in body["message"]
        assert body["problems"][0]["field"] == "cursor"
    assert api.call("GET", "/api/v1/citizens", token=api.owner, query_string={"cursor": cursor}).status_code == 200


def _cursor(response) -> str:
    return parse_qs(urlsplit(next_link(response)).query)["cursor"][0]


def test_a_cursor_is_good_only_for_the_list_it_came_from(api):
    for citizen in ("cit-fatma", "cit-samir"):
        for day in range(1, 4):
            placements.log_meeting(api.db, citizen_id=citizen, kind="first_citizen", held_on=f"2026-03-0{day}")
    fatma = _cursor(api.call("GET", "/api/v1/citizens/cit-fatma/meetings?limit=1", token=api.owner))
    other_citizen = api.call("GET", "/api/v1/citizens/cit-samir/meetings", token=api.owner,
                             query_string={"cursor": fatma})
    assert other_citizen.status_code == 400 and "hører til en anden liste" in other_citizen.get_json()["message"]
    searched = _cursor(api.call("GET", "/api/v1/employers?q=a&limit=2", token=api.owner))
    new_search = api.call("GET", "/api/v1/employers", token=api.owner, query_string={"q": "b", "cursor": searched})
    assert new_search.status_code == 400
    same = api.call("GET", "/api/v1/employers", token=api.owner, query_string={"q": "a", "cursor": searched})
    assert same.status_code == 200


def test_a_cursor_carries_no_citizen_data(api):
    registry.save_citizen(api.db, {"id": "cit-x", "first_name": "Zenobia", "postcode": "8000", "consultant": OWNER})
    add_citizens(api.db, OWNER, 10, "cit-p")
    link = api.call("GET", "/api/v1/citizens?limit=1", token=api.owner).headers["Link"]
    import base64
    cursor = parse_qs(urlsplit(link[1:link.index(">")]).query)["cursor"][0]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    first = api.call("GET", "/api/v1/citizens?limit=1", token=api.owner).get_json()["citizens"][0]
    assert first["first_name"].encode() not in raw and first["id"].encode() not in raw


def test_employers_in_pages_with_a_search(api):
    everything = [e["id"] for e in registry.list_employers(api.db, "", None)]
    pages = walk_pages(api, "/api/v1/employers?limit=13", api.owner, "employers")
    assert [e["id"] for page in pages for e in page] == everything
    assert all(e["openings"] for page in pages for e in page)
    word = registry.list_employers(api.db, "", None)[0]["openings"][0]["title"].split()[0]
    found = [e["id"] for e in registry.list_employers(api.db, word, "approved")]
    pages = walk_pages(api, f"/api/v1/employers?limit=2&status=approved&q={word}", api.owner, "employers")
    assert [e["id"] for page in pages for e in page] == found and found


def test_openings_in_pages(api):
    pages = walk_pages(api, "/api/v1/openings?limit=37", api.owner, "openings")
    seen = [(o["employer_id"], o["id"]) for page in pages for o in page]
    stored = [(r["employer_id"], r["id"]) for r in api.db.query(
        "SELECT employer_id, id FROM openings ORDER BY employer_id, position, id")]
    assert seen == stored and len(pages) > 2
    employer = registry.list_employers(api.db, "", None)[0]
    pages = walk_pages(api, f"/api/v1/openings?limit=1&employer_id={employer['id']}&active=true", api.owner,
                       "openings")
    assert [o["id"] for page in pages for o in page] == [o["id"] for o in employer["openings"] if o["active"]]


def _placements(api, citizen_id: str, count: int) -> list[dict]:
    # Ended ones: a citizen has one open forløb per opening (issue 10), but any number of past ones.
    opening_id = registry.matchable_employers(api.db)[0]["openings"][0]["id"]
    return [placements.create_placement(api.db, citizen_id=citizen_id, opening_id=opening_id, kind="smajob",
                                        start_date=f"2026-0{1 + n % 3}-1{n % 2}", hours_per_week=4,
                                        status="ended", end_date="2026-04-30", outcome="ledighed")
            for n in range(count)]


def test_placements_meetings_and_reports_in_pages(api):
    made = _placements(api, "cit-fatma", 7)
    for n in range(9):
        placements.log_meeting(api.db, citizen_id="cit-fatma", placement_id=made[0]["id"], kind="first_employer",
                               held_on=f"2026-03-0{1 + n % 4}")
    for n in range(5):
        placements.add_report_due(api.db, made[0]["id"], "delrapport", f"2026-05-0{1 + n % 2}")
    cases = [
        ("/api/v1/citizens/cit-fatma/placements", "placements",
         [p["id"] for p in placements.placements_of_citizen(api.db, "cit-fatma")]),
        ("/api/v1/citizens/cit-fatma/meetings", "meetings",
         [m["id"] for m in placements.meetings_of_citizen(api.db, "cit-fatma")]),
        (f"/api/v1/placements/{made[0]['id']}/meetings", "meetings",
         [m["id"] for m in placements.meetings_of_placement(api.db, made[0]["id"])]),
        (f"/api/v1/placements/{made[0]['id']}/reports", "reports",
         [r["id"] for r in placements.reports_of(api.db, made[0]["id"])]),
    ]
    for path, key, expected in cases:
        pages = walk_pages(api, f"{path}?limit=2", api.owner, key)
        assert [item["id"] for page in pages for item in page] == expected, path
        assert len(pages) == (len(expected) + 1) // 2


def test_employer_placements_in_pages_show_only_the_callers_citizens(api):
    add_citizens(api.db, OTHER, 1, "cit-o")
    mine, theirs = _placements(api, "cit-fatma", 5), _placements(api, "cit-o-000", 4)
    employer_id = mine[0]["employer_id"]
    for token, expected in ((api.owner, mine), (api.other, theirs), (api.admin, mine + theirs)):
        pages = walk_pages(api, f"/api/v1/employers/{employer_id}/placements?limit=2", token, "placements")
        assert sorted(p["id"] for page in pages for p in page) == sorted(p["id"] for p in expected)


# --- report due dates ------------------------------------------------------------------------------

@pytest.fixture
def placement(api, clock):
    clock.set(datetime(2026, 11, 23, 10, 30, tzinfo=COPENHAGEN))
    return _placements(api, "cit-fatma", 1)[0]


def test_add_list_get_and_submit_a_report(api, placement, clock):
    base = f"/api/v1/placements/{placement['id']}/reports"
    made = api.call("POST", base, token=api.owner, json={"kind": "delrapport", "due_date": "2026-12-01"})
    assert made.status_code == 201
    report = made.get_json()
    assert report["kind"] == "delrapport" and report["due_date"] == "2026-12-01" and report["submitted_at"] is None
    assert made.headers["Location"].endswith(f"{base}/{report['id']}")
    assert api.call("GET", f"{base}/{report['id']}", token=api.owner).get_json() == report
    assert api.call("GET", base, token=api.owner).get_json() == {"reports": [report]}
    assert api.call("GET", f"/api/v1/placements/{placement['id']}", token=api.owner).get_json()["reports"] == [report]

    submitted = api.call("POST", f"{base}/{report['id']}/submitted", token=api.owner)
    assert submitted.status_code == 200
    assert submitted.get_json()["submitted_at"] == "2026-11-23T09:30:00+00:00"  # the clock, in UTC
    clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=COPENHAGEN))
    again = api.call("POST", f"{base}/{report['id']}/submitted", token=api.owner, json={})
    assert again.get_json()["submitted_at"] == "2026-11-23T09:30:00+00:00"  # a retry changes nothing
    corrected = api.call("POST", f"{base}/{report['id']}/submitted", token=api.owner,
                         json={"submitted_at": "2026-11-20"})
    assert corrected.get_json()["submitted_at"] == "2026-11-20"
    with_zone = api.call("POST", f"{base}/{report['id']}/submitted", token=api.owner,
                         json={"submitted_at": "2026-11-21T15:00:00+01:00"})
    assert with_zone.get_json()["submitted_at"] == "2026-11-21T14:00:00+00:00"
    assert placements.get_report(api.db, report["id"])["submitted_at"] == "2026-11-21T14:00:00+00:00"


@pytest.mark.parametrize("body, field, words", [
    ({"kind": "rapport", "due_date": "2026-12-01"}, "kind", "Ukendt rapporttype"),
    ({"kind": "delrapport", "due_date": "1. december"}, "due_date", "ikke en gyldig dato"),
    ({"kind": "delrapport"}, "due_date", "mangler"),
    ({"kind": "delrapport", "due_date": "2026-12-01", "note": "x"}, "note", "ukendt felt"),
])
def test_invalid_report_is_422_per_field_and_nothing_stored(api, placement, body, field, words):
    response = api.call("POST", f"/api/v1/placements/{placement['id']}/reports", token=api.owner, json=body)
    assert response.status_code == 422
    problems = {p["field"]: p["reason"] for p in response.get_json()["problems"]}
    assert words in problems[field] and all(p["kind"] == "rapport" for p in response.get_json()["problems"])
    assert placements.reports_of(api.db, placement["id"]) == []


@pytest.mark.parametrize("value, words", [
    ("2026-11-25", "fremtiden"),                  # the clock says 23 November
    ("2026-11-23T12:00:00+01:00", "fremtiden"),   # more than a few minutes ahead
    ("2026-11-20T10:00:00", "tidszone"),
    ("i går", "hverken en dato"),
    (20261120, "skal være tekst"),
    ("1999-12-31", "år 2000"),
])
def test_invalid_submission_time_is_422_and_the_report_stays_open(api, placement, value, words):
    report = placements.add_report_due(api.db, placement["id"], "slutrapport", "2026-12-01")
    response = api.call("POST", f"/api/v1/placements/{placement['id']}/reports/{report['id']}/submitted",
                        token=api.owner, json={"submitted_at": value})
    assert response.status_code == 422
    problem, = response.get_json()["problems"]
    assert problem["field"] == "submitted_at" and words in problem["reason"]
    assert placements.get_report(api.db, report["id"])["submitted_at"] is None


def test_reports_of_another_consultants_placement_are_404(api, placement):
    report = placements.add_report_due(api.db, placement["id"], "delrapport", "2026-12-01")
    base = f"/api/v1/placements/{placement['id']}/reports"
    calls = [("GET", base, None), ("POST", base, {"kind": "slutrapport", "due_date": "2026-12-24"}),
             ("GET", f"{base}/{report['id']}", None), ("POST", f"{base}/{report['id']}/submitted", {})]
    for method, path, body in calls:
        response = api.call(method, path, token=api.other, json=body)
        assert response.status_code == 404, f"{method} {path}"
        assert "delrapport" not in response.get_data(as_text=True)
    assert placements.reports_of(api.db, placement["id"]) == [report]
    # A report reached through another placement's address is not there either.
    elsewhere = _placements(api, "cit-fatma", 1)[0]
    for method, path in (("GET", f"/api/v1/placements/{elsewhere['id']}/reports/{report['id']}"),
                         ("POST", f"/api/v1/placements/{elsewhere['id']}/reports/{report['id']}/submitted")):
        assert api.call(method, path, token=api.owner).status_code == 404
    assert api.call("GET", "/api/v1/placements/999999/reports", token=api.admin).status_code == 404
    assert api.call("GET", f"{base}/{report['id']}", token=api.admin).status_code == 200


# --- when a token was last used --------------------------------------------------------------------

def _token_row(db, consultant_id: int) -> dict:
    rows = accounts.api_tokens_of(db, consultant_id)
    assert len(rows) == 1
    return rows[0]


def test_last_used_is_set_on_first_use_and_not_rewritten_within_the_minute(api, clock):
    start = datetime(2026, 11, 23, 10, 0, 0, tzinfo=COPENHAGEN)
    clock.set(start)
    assert _token_row(api.db, api.ids["owner"])["last_used_at"] is None
    assert api.call("GET", "/api/v1/me", token=api.owner).status_code == 200
    assert _token_row(api.db, api.ids["owner"])["last_used_at"] == "2026-11-23T09:00:00+00:00"
    for seconds in (1, 30, 59):
        clock.set(start + timedelta(seconds=seconds))
        assert api.call("GET", "/api/v1/citizens", token=api.owner).status_code == 200
        assert _token_row(api.db, api.ids["owner"])["last_used_at"] == "2026-11-23T09:00:00+00:00"
    clock.set(start + timedelta(seconds=61))
    api.call("GET", "/api/v1/me", token=api.owner)
    assert _token_row(api.db, api.ids["owner"])["last_used_at"] == "2026-11-23T09:01:01+00:00"
    # Only the token that was used, and a refused call is no use.
    assert _token_row(api.db, api.ids["other"])["last_used_at"] is None
    api.call("GET", "/api/v1/me", token="not-a-token")
    assert _token_row(api.db, api.ids["other"])["last_used_at"] is None


def test_recording_use_writes_once_when_two_callers_race(db, make_consultant):
    consultant_id = make_consultant()
    token = make_token(db, consultant_id)
    from web.auth import hash_api_token
    row = accounts.consultant_by_token_hash(db, hash_api_token(token))
    now = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    # Both read "never used" before either wrote: the UPDATE's own check lets only one through.
    assert accounts.record_token_use(db, row["token_id"], now, row["token_last_used_at"]) is True
    assert accounts.record_token_use(db, row["token_id"], now + timedelta(seconds=5), row["token_last_used_at"]) \
        is False
    assert _token_row(db, consultant_id)["last_used_at"] == "2026-11-23T09:00:00+00:00"
    assert accounts.record_token_use(db, row["token_id"], now + timedelta(minutes=1), "2026-11-23T09:00:00+00:00")
    with pytest.raises(ValueError):
        accounts.record_token_use(db, row["token_id"], datetime(2026, 11, 23, 9, 0))


def test_list_tokens_shows_created_and_last_used_never_the_token(api, config, clock):
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=COPENHAGEN))
    api.call("GET", "/api/v1/me", token=api.owner)
    clock.set(datetime(2026, 11, 23, 10, 5, tzinfo=COPENHAGEN))
    second = make_token(api.db, api.ids["owner"])
    runner = CliRunner()
    from smajobs.cli import main
    result = runner.invoke(main, ["--db", config.db, "list-tokens", OWNER])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "API-nøgler for konsulent@example.dk" in lines[0]
    by_id = {line.split()[0]: line for line in lines if line.strip()[:1].isdigit()}
    tokens = {bool(row["last_used_at"]): str(row["id"]) for row in accounts.api_tokens_of(api.db, api.ids["owner"])}
    assert len(by_id) == 2 and "23.11.2026 10:00" in by_id[tokens[True]]
    assert "23.11.2026 10:05  aldrig" in by_id[tokens[False]]  # created at the clock's time, never used
    for secret in (api.owner, second, *(r["token_hash"] for r in api.db.query("SELECT token_hash FROM api_tokens"))):
        assert secret not in result.output
    missing = runner.invoke(main, ["--db", config.db, "list-tokens", "ingen@example.dk"])
    assert missing.exit_code != 0 and "Ingen konsulent med e-mail ingen@example.dk" in missing.output


def test_employer_search_pages_across_many_read_batches(demo_db, monkeypatch):
    """The search filters after SQL, in batches; small batches make every page span several."""
    from data import paging
    monkeypatch.setattr(paging, "EMPLOYER_BATCH", 4)
    for search, status in (("", None), ("a", "approved"), ("ingen-virksomhed-hedder-sådan", None)):
        expected = [e["id"] for e in registry.list_employers(demo_db, search, status)]
        seen, after = [], None
        while True:
            page = paging.employers(demo_db, search, status, limit=7, after=after)
            assert len(page.items) <= 7
            seen += [e["id"] for e in page.items]
            if page.next_after is None:
                break
            after = page.next_after
        assert seen == expected, search
