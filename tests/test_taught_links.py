"""Links consultants teach the matcher and pairings it learns from started forløb (issue 13):
the match page's form, the admin page, the audit trail, and the ranking they change at once -
on a real SQLite file through the app's own pages and the match service."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest

from data import placements, taught_links
from data.db import connect
from data.exchange import parse_document
from data.matching import MatchService
from data.registry import import_document, matching_record, get_citizen
from matcher.taught import LEARNED_COSINE_CAP, LEARNED_COSINE_PER_CITIZEN, PLACEMENTS, TaughtLinks
from tests.conftest import login

CONSULTANT = "konsulent@example.dk"
ADMIN = "admin@example.dk"
TOVE = "cit-tove"
CAFE, STORE = "opn-cafe", "opn-lager"
HOME = (55.6915, 12.5506)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TAUGHT_REASON = "Interesse: cortado ↔ Barista — lært af en konsulent"


def _employer(employer_id, name, opening_id, title, tasks, lat, paid_hours):
    return {"id": employer_id, "name": name, "postcode": "2200", "lat": lat, "lon": HOME[1],
            "openings": [{"id": opening_id, "title": title, "tasks": tasks, "hours_per_week": {"min": 3, "max": 10},
                          "shifts": ["day"], "paid_hours": paid_hours, "seats": 50}]}


def _citizen(citizen_id, interests="cortado"):
    return {"id": citizen_id, "first_name": "Tove", "postcode": "2200", "lat": HOME[0], "lon": HOME[1],
            "interests": interests, "hours_per_week": {"min": 3, "max": 10}, "shifts": ["day"],
            "max_travel_km": 10, "consultant": CONSULTANT}


@pytest.fixture
def world(db, make_consultant):
    """Tove likes "cortado", a word no field of the vocabulary holds. A barista job shares no
    word with it; a store job nearer her home with paid hours from the start is its rival."""
    import_document(db, parse_document({
        "employers": [_employer("emp-cafe", "Kaffebaren", CAFE, "Barista", "Brygge kaffe og servere for gæster",
                                HOME[0] + 0.009, "no"),
                      _employer("emp-lager", "Lagerhuset", STORE, "Lagermedarbejder", "Pakke varer og sende dem",
                                HOME[0] + 0.004, "from_start")],
        "citizens": [_citizen(TOVE)]}))
    return {"consultant": make_consultant(CONSULTANT), "admin": make_consultant(ADMIN, "Ada Admin", role="admin")}


def ranked(service: MatchService, db, citizen_id: str = TOVE):
    result = service.match_record(db, matching_record(get_citizen(db, citizen_id)), top=10)
    return result.matches


def order(matches) -> list[str]:
    return [m.opening_id for m in matches]


def page_order(page: str) -> list[str]:
    return re.findall(r'<h2><a href="[^"]*">(Barista|Lagermedarbejder) –', page)


def csrf(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def teach(client, **form):
    path = f"/borgere/{TOVE}/match"
    return client.post(f"{path}/laer", data={"interest": "", "term": "", "field": "", **form,
                                             "csrf_token": csrf(client, path)})


def audit_rows(db, action: str) -> list[dict]:
    return list(db.query("SELECT * FROM audit_log WHERE action = ? ORDER BY id", [action]))


# --- the match page: teaching, used at once -------------------------------------------------------

def test_a_taught_link_moves_the_opening_up_at_once_and_says_so(client, db, world):
    login(client, CONSULTANT)
    before = html.unescape(client.get(f"/borgere/{TOVE}/match").get_data(as_text=True))
    assert page_order(before) == ["Lagermedarbejder", "Barista"]
    assert TAUGHT_REASON not in before
    assert 'name="field"' in before and "Servering, café og bar" in before   # the fields by their Danish names

    response = teach(client, interest="cortado", field="servering")
    assert response.status_code == 302
    after = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Koblingen »cortado« ↔ Servering, café og bar er gemt" in after
    assert page_order(after) == ["Barista", "Lagermedarbejder"]
    assert TAUGHT_REASON in after


def test_the_page_filters_come_along_when_teaching(client, db, world):
    login(client, CONSULTANT)
    path = f"/borgere/{TOVE}/match?filtre=1&radius=7&show_unknown=1"
    response = client.post(path.replace("/match?", "/match/laer?"),
                           data={"interest": "cortado", "term": "", "field": "servering", "csrf_token": csrf(client, path)})
    assert response.status_code == 302
    assert "radius=7" in response.headers["Location"] and "/match?" in response.headers["Location"]


def test_a_typed_word_goes_before_the_chosen_interest(client, db, world):
    login(client, CONSULTANT)
    teach(client, interest="cortado", term="  Flat   White ", field="servering")
    assert [(r["term"], r["field"]) for r in taught_links.list_links(db)] == [("flat white", "servering")]


@pytest.mark.parametrize("form, field, message", [
    ({}, "term", "Skriv et ord, eller vælg en af borgerens interesser."),
    ({"term": "x" * 61}, "term", "Ordet må højst være 60 tegn (det er 61)."),
    ({"term": "mode og tøj"}, "term", "Skriv én interesse ad gangen (uden komma eller »og«)."),
    ({"term": "gerne et job"}, "term", "»gerne et job« siger ikke noget om et arbejdsfelt"),
    ({"term": "cortado", "field": "zoo"}, "field", "Vælg et arbejdsfelt fra listen."),
])
def test_bad_input_gets_a_danish_error_next_to_its_field_and_nothing_is_stored(client, db, world, form, field,
                                                                                message):
    login(client, CONSULTANT)
    response = teach(client, **({"field": "servering"} | form))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert re.search(rf'<p class="error" id="{field}-error">[^<]*{re.escape(message)}', page), page[-3000:]
    assert '<details class="card teach no-print" id="laer" open>' in page
    assert page_order(page) == ["Lagermedarbejder", "Barista"]     # the list is still shown
    assert taught_links.list_links(db) == []
    assert audit_rows(db, "taught_link_added") == []


def test_a_link_is_stored_once_and_audited_once_with_ids_only(client, db, world):
    login(client, CONSULTANT)
    teach(client, interest="cortado", field="servering")
    again = teach(client, term="Cortado", field="servering")
    assert "findes allerede" in html.unescape(client.get(again.headers["Location"]).get_data(as_text=True))
    links = taught_links.list_links(db)
    assert len(links) == 1 and links[0]["created_by"] == world["consultant"] and links[0]["created_at"]
    rows = audit_rows(db, "taught_link_added")
    assert len(rows) == 1
    assert (rows[0]["citizen_id"], rows[0]["consultant_id"], rows[0]["actor"]) == (TOVE, world["consultant"],
                                                                                   "consultant")
    assert rows[0]["placement_id"] is None and rows[0]["employer_id"] is None


def test_a_consultant_cannot_teach_on_a_citizen_not_theirs(client, db, world, make_consultant):
    make_consultant("anden@example.dk", "Anden")
    login(client, "anden@example.dk")
    token = csrf(client, "/borgere")
    response = client.post(f"/borgere/{TOVE}/match/laer", data={"term": "cortado", "field": "servering",
                                                                "csrf_token": token})
    assert response.status_code == 404
    assert taught_links.list_links(db) == []


# --- the admin page -------------------------------------------------------------------------------

def test_consultants_get_403_on_the_admin_list_and_its_remove_button(client, db, world):
    link, _ = taught_links.add(db, "cortado", "servering", created_by=world["consultant"])
    login(client, CONSULTANT)
    assert client.get("/admin/laerte-koblinger/").status_code == 403
    token = csrf(client, "/borgere")
    assert client.post(f"/admin/laerte-koblinger/{link['id']}/fjern", data={"csrf_token": token}).status_code == 403
    assert "Lærte koblinger" not in client.get("/borgere").get_data(as_text=True)
    assert len(taught_links.list_links(db)) == 1


def test_an_admin_sees_who_taught_what_and_removing_restores_the_ranking(client, db, world):
    service = MatchService(persist=False)
    assert order(ranked(service, db)) == [STORE, CAFE]
    link, _ = taught_links.add(db, "cortado", "servering", created_by=world["consultant"], citizen_id=TOVE)
    assert order(ranked(service, db)) == [CAFE, STORE]

    login(client, ADMIN)
    assert "Lærte koblinger" in client.get("/borgere").get_data(as_text=True)    # in the admin menu
    page = html.unescape(client.get("/admin/laerte-koblinger/").get_data(as_text=True))
    row = re.search(rf'<tr id="kobling-{link["id"]}">(.*?)</tr>', page, re.S).group(1)
    assert "cortado" in row and "Servering, café og bar" in row and "Karen Konsulent" in row
    response = client.post(f"/admin/laerte-koblinger/{link['id']}/fjern",
                           data={"csrf_token": csrf(client, "/admin/laerte-koblinger/")})
    assert response.status_code == 302
    assert "er fjernet" in html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert taught_links.list_links(db) == []
    assert order(ranked(service, db)) == [STORE, CAFE]
    removed = audit_rows(db, "taught_link_removed")
    assert len(removed) == 1 and removed[0]["consultant_id"] == world["admin"] and removed[0]["citizen_id"] is None
    assert client.post(f"/admin/laerte-koblinger/{link['id']}/fjern",
                       data={"csrf_token": csrf(client, "/admin/laerte-koblinger/")}).status_code == 404


# --- the match service: every process sees a change on its next match -----------------------------

def test_a_link_made_by_another_process_is_used_on_the_next_match(db, world, config):
    this, other = MatchService(persist=False), MatchService(persist=False)
    assert order(ranked(this, db)) == [STORE, CAFE]
    elsewhere = connect(config.db)          # another process: its own connection and service
    try:
        taught_links.add(elsewhere, "cortado", "servering", created_by=None)
        assert order(ranked(other, elsewhere)) == [CAFE, STORE]
    finally:
        elsewhere.close()
    matches = ranked(this, db)
    assert order(matches) == [CAFE, STORE]
    assert TAUGHT_REASON in [r.text for r in matches[0].reasons]


def test_the_taught_links_are_read_again_only_when_they_change(db, world):
    service = MatchService(persist=False)
    index = service.index(db)
    first = service.taught(db, index)
    assert service.taught(db, index) is first
    taught_links.add(db, "cortado", "servering", created_by=None)
    second = service.taught(db, index)
    assert second is not first and len(second) == 1


# --- learning from started forløb -------------------------------------------------------------------

def _placed(db, how_many: int, *, status: str = "active", start: int = 0) -> None:
    """`how_many` more citizens who like cortado, each with a forløb at the café."""
    ids = [f"cit-learn-{n:02d}" for n in range(start, start + how_many)]
    import_document(db, parse_document({"citizens": [_citizen(i) for i in ids]}))
    for citizen_id in ids:
        placements.create_placement(db, citizen_id=citizen_id, opening_id=CAFE, kind="virksomhedspraktik",
                                    start_date=date(2025, 1, 6), hours_per_week=5, status=status)


def _cafe(matches):
    return next(m for m in matches if m.opening_id == CAFE)


def test_one_started_forloeb_gives_a_small_bump_and_no_reason(db, world):
    service = MatchService(persist=False)
    before = _cafe(ranked(service, db)).score
    _placed(db, 1)
    learned = [l for l in service.taught(db, service.index(db)).links if l.source == PLACEMENTS]
    assert [(l.term, l.citizens) for l in learned if l.field == "servering"] == [("cortado", 1)]
    bumped = _cafe(ranked(service, db))
    assert before < bumped.score < before + 0.1
    assert not any("lært" in r.text for r in bumped.reasons)


def test_planned_and_cancelled_forloeb_teach_nothing(db, world):
    service = MatchService(persist=False)
    before = _cafe(ranked(service, db)).score
    _placed(db, 3, status="planned")
    assert _cafe(ranked(service, db)).score == before


def test_one_citizen_counts_once_however_many_forloeb(db, world):
    _placed(db, 1, status="active")
    for n in range(5):
        placements.create_placement(db, citizen_id="cit-learn-00", opening_id=CAFE, kind="smajob",
                                    start_date=date(2024, 1, 1 + n), end_date=date(2024, 1, 2 + n),
                                    hours_per_week=5, status="ended", outcome="ledighed")
    service = MatchService(persist=False)
    learned = [l for l in service.taught(db, service.index(db)).links if l.field == "servering"]
    assert [(l.citizens, l.bonus) for l in learned] == [(1, LEARNED_COSINE_PER_CITIZEN)]


def test_learning_is_capped_however_many_citizens(db, world):
    service = MatchService(persist=False)
    cap_citizens = round(LEARNED_COSINE_CAP / LEARNED_COSINE_PER_CITIZEN)
    _placed(db, cap_citizens)
    at_cap = _cafe(ranked(service, db))
    assert order(ranked(service, db)) == [CAFE, STORE]        # enough citizens: a fit of its own
    assert "Interesse: cortado ↔ Barista — lært af tidligere forløb" in [r.text for r in at_cap.reasons]
    _placed(db, 3 * cap_citizens, start=cap_citizens)
    many = _cafe(ranked(service, db))
    learned = [l for l in service.taught(db, service.index(db)).links if l.field == "servering"]
    assert learned[0].citizens == 4 * cap_citizens and learned[0].bonus == LEARNED_COSINE_CAP
    assert many.score == at_cap.score
    taught_links.add(db, "cortado", "servering", created_by=None)
    taught = _cafe(ranked(service, db))
    assert taught.score > many.score            # a consultant's link is a link of full strength
    assert TAUGHT_REASON in [r.text for r in taught.reasons]


def test_an_erased_citizen_teaches_no_more(db, world):
    _placed(db, 2)
    service = MatchService(persist=False)
    assert [l.citizens for l in service.taught(db, service.index(db)).links if l.field == "servering"] == [2]
    db.execute("DELETE FROM citizens WHERE id = 'cit-learn-00'")
    assert [l.citizens for l in service.taught(db, service.index(db)).links if l.field == "servering"] == [1]


def test_the_matcher_caps_a_learnt_pairing():
    from matcher.taught import TaughtLink, learned_cosine
    assert learned_cosine(1) == LEARNED_COSINE_PER_CITIZEN
    assert learned_cosine(1000) == LEARNED_COSINE_CAP
    assert TaughtLink("kaffe", "servering", PLACEMENTS, 10_000).bonus == LEARNED_COSINE_CAP
    assert TaughtLinks([TaughtLink("kaffe", "zoo")]).links == ()     # a field the vocabulary lacks is ignored


# --- the command line -------------------------------------------------------------------------------

def test_the_cli_adds_lists_and_removes_links_audited_as_the_cli(db, world, config):
    from click.testing import CliRunner
    from smajobs.cli import main

    def run(*args):
        return CliRunner().invoke(main, ["--db", config.db, "taught-links", *args])
    added = run("add", "Cortado", "servering")
    assert added.exit_code == 0 and "Koblingen »cortado« ↔ Servering, café og bar er gemt" in added.output
    assert "findes allerede" in run("add", "cortado", "servering").output
    bad = run("add", "cortado", "zoo")
    assert bad.exit_code != 0 and "Vælg et arbejdsfelt fra listen." in bad.output
    listed = run("list").output
    assert "cortado\tServering, café og bar (servering)" in listed
    link_id = taught_links.list_links(db)[0]["id"]
    assert "er fjernet" in run("remove", str(link_id)).output
    missing = run("remove", str(link_id))
    assert missing.exit_code != 0 and "ingen lært kobling med id" in missing.output
    assert [r["actor"] for r in audit_rows(db, "taught_link_added") + audit_rows(db, "taught_link_removed")] == \
        ["cli", "cli"]
