"""Smallest valid exchange-format records, with keyword changes, for the storage tests."""
from __future__ import annotations


def opening(**changes) -> dict:
    record = {"id": "opn-1", "title": "Køkkenhjælp", "tasks": "Opvask og grønt"}
    record.update(changes)
    return record


def employer(**changes) -> dict:
    record = {"id": "emp-1", "name": "Pizzeria Napoli", "postcode": "2200", "openings": [opening()]}
    record.update(changes)
    return record


def citizen(**changes) -> dict:
    record = {"id": "cit-1", "first_name": "Fatma", "postcode": "2200"}
    record.update(changes)
    return record
