"""The Danish texts of every e-mail the rules send.

An e-mail leaves our systems, so it carries a first name and a link at most: never needs,
health, diagnosis, target group, benefits or why the citizen needed help. The functions here
take only the fields they may print, so nothing else can slip in.
"""
from __future__ import annotations

from datetime import date

from core.formats import danish_date

# What a placement led to, said in plain words to the employer. Only outcomes that reveal
# nothing about the citizen's health or benefits are told: "sygedagpenge", "førtidspension",
# "fleksjob" (reduced working capacity), "ledighed" and "anden offentlig forsørgelse" would say
# why the citizen needed help, so those employers get the thanks without the outcome.
OUTCOME_SENTENCES = {
    "beskaeftigelse": "forløbet førte til ordinær beskæftigelse",
    "uddannelse": "forløbet førte til, at {name} er begyndt på en uddannelse",
    "selvforsoerget": "forløbet førte til, at {name} nu forsørger sig selv",
}

SIGNATURE = "Venlig hilsen\nsmåjobs"


def _greeting(contact_name: str | None) -> str:
    name = (contact_name or "").strip()
    return f"Kære {name}" if name else "Hej"


def thank_you(*, contact_name: str | None, first_name: str, outcome: str | None) -> tuple[str, str]:
    """(subject, body) thanking an employer when a placement has ended."""
    lines = [
        _greeting(contact_name) + ",",
        "",
        f"Tak fordi I har haft {first_name} hos jer. Forløbet er nu afsluttet.",
    ]
    sentence = OUTCOME_SENTENCES.get(outcome or "")
    if sentence:
        lines += ["", f"Vi vil gerne fortælle jer, at {sentence.format(name=first_name)}. "
                      "Det har jeres indsats været med til."]
    lines += ["", "Jeres vilje til at give plads gør en forskel. Vi håber, vi må kontakte jer igen.",
              "", SIGNATURE]
    return f"Tak for samarbejdet om {first_name}", "\n".join(lines) + "\n"


def checkin_request(*, contact_name: str | None, first_name: str, link: str, expires_on: date) -> tuple[str, str]:
    """(subject, body) asking an employer how a placement is going."""
    body = "\n".join([
        _greeting(contact_name) + ",",
        "",
        f"Hvordan går det med {first_name}? Svar på tre korte spørgsmål – det tager to minutter:",
        "",
        link,
        "",
        f"Linket er personligt, gælder kun dette forløb og virker til og med {danish_date(expires_on)}.",
        "Er der noget, der haster, så ring gerne til konsulenten i stedet.",
        "",
        SIGNATURE,
    ])
    return f"Hvordan går det med {first_name}? (2 minutter)", body + "\n"


def digest(*, consultant_name: str | None, today: date, items: list[tuple[str, str, str]],
           page_link: str) -> tuple[str, str]:
    """(subject, body) of a consultant's daily digest. `items`: (label, first name, link)."""
    lines = [
        _greeting(consultant_name) + ",",
        "",
        f"Du har {len(items)} påmindelse{'r' if len(items) != 1 else ''} i dag ({danish_date(today)}):",
        "",
    ]
    lines += [f"- {label}: {first_name} – {link}" for label, first_name, link in items]
    lines += ["", f"Se dem alle på siden I dag: {page_link}",
              "Kommende opfølgninger ligger i den vedhæftede kalenderfil (åbner i Outlook).", "", SIGNATURE]
    count = len(items)
    return f"I dag: {count} påmindelse{'r' if count != 1 else ''} ({danish_date(today)})", "\n".join(lines) + "\n"
