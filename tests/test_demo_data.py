"""The demo data looks like the real thing: a consultant trying the demo sees employers as they
would meet them (no postcodes glued on names, street addresses, named contacts with a phone)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from data.exchange import parse_document

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo" / "demo.json"


def test_demo_employers_have_plain_names_street_addresses_and_named_contacts_with_phones():
    employers = json.loads(DEMO.read_text(encoding="utf-8"))["employers"]
    for employer in employers:
        assert employer["name"] == "Rema 1000" or not re.search(r"\d{4}$", employer["name"]), employer["name"]
        assert re.fullmatch(r"[A-ZÆØÅ][\wæøåÆØÅ. -]+ \d+", employer["address"]), employer["address"]
        contact = employer["contact"]
        assert len(contact["name"].split()) == 2 and contact["name"] != "Kontaktperson", contact
        assert re.fullmatch(r"\+45( \d\d){4}", contact["phone"]), contact
    names = [e["name"] for e in employers]
    assert len(set(names)) == len(names)   # branches of a chain are told apart by their street
    assert {"7-Eleven", "Rema 1000", "Netto", "Circle K"} <= set(names)


def test_demo_file_is_valid_exchange_data():
    parse_document(json.loads(DEMO.read_text(encoding="utf-8")))
