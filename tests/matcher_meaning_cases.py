"""Held-out meaning cases (issue 13): a citizen's interest and the right opening share no word stem,
only a field of work in the matcher's vocabulary; beside the right opening stand false friends that
share letters but not meaning.

Every case is one citizen whose only interest is `interest`, and openings at the same place, with
the same hours, shifts, needs and paid hours, so that only the text decides:
* the right opening (`true`): a job of the interest's field, in words that share no stem with it
  ("espresso" -> "Barista: brygge kaffe");
* a name false friend: a job of an unrelated field at a place whose proper name holds the interest
  word ("Lagermedarbejder hos Lager Espresso"; the employer is called "Lager Espresso");
* a syllable false friend: a job of an unrelated field whose words share a letter sequence with the
  interest but not its meaning ("espresso" / "Ekspreslevering af pakker");
* background openings from tests/matcher_cases.DOMAINS (they shape the TF-IDF weights as a real
  registry does).

TUNED cases were looked at while the surface-hit cap (matcher.text.CHAR_ONLY_SHARE/_CAP) was chosen.
UNTUNED cases were written in the same sitting, before that choice, and looked at only once after
it: no threshold or vocabulary word was changed for them. Both use words the vocabulary places
(fields_hand.csv) - a word the vocabulary does not know cannot be linked by meaning at all; the
generated HELDOUT_DOMAINS of tests/matcher_cases.py cover that case.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from matcher import Citizen, Opening
from tests.matcher_cases import CENTRES, DOMAINS, place

Job = tuple[str, str, str]   # (title, tasks, industry)


@dataclass(frozen=True)
class MeaningCase:
    field: str          # the vocabulary field the interest and the right job share
    interest: str
    true: Job
    syllable: Job       # unrelated job sharing letters with the interest


# Unrelated jobs for the name false friends: (field, kind of place that starts the name, job).
NAME_RIVALS: tuple[tuple[str, str, Job], ...] = (
    ("lager", "Lager", ("Lagermedarbejder", "Plukke ordrer, pakke varer, stable paller", "Lager og logistik")),
    ("rengøring", "Rengøring", ("Rengøringsassistent", "Støvsuge, vaske gulve, tømme skraldespande", "Rengøring")),
    ("mad", "Restaurant", ("Opvasker", "Tage opvask, rydde borde, bære kasser", "Restaurant")),
    ("transport", "Vognmand", ("Chaufførmedhjælper", "Bære pakker ind til kunderne, læsse bilen", "Transport")),
    ("kontor", "Revisor", ("Kontorassistent", "Scanne dokumenter, arkivere, besvare mails", "Administration")),
)

TUNED: tuple[MeaningCase, ...] = (
    MeaningCase("servering", "espresso", ("Barista", "Brygge kaffe, servere for gæsterne", "Kaffebar"),
                ("Budchauffør", "Ekspreslevering af pakker til erhvervskunder", "Budfirma")),
    MeaningCase("sport", "yoga", ("Medhjælper i fitnesscenter", "Tørre maskiner af, byde medlemmer velkommen",
                                  "Motionscenter"),
                ("Varepåfylder", "Fylde yoghurt og mælk på køl", "Supermarked")),
    MeaningCase("legetøj", "lego", ("Butiksmedhjælper i legetøjsbutik", "Pakke dukker og bamser ud, fylde hylder op",
                                    "Detailhandel"),
                ("Dørmand", "Tjekke legitimation ved indgangen", "Natklub")),
    MeaningCase("servering", "bartender", ("Tjener", "Servere drinks og øl for gæsterne", "Værtshus"),
                ("Barbermedhjælper", "Feje hår op, vaske håndklæder", "Barbersalon")),
    MeaningCase("dyr", "kæledyr", ("Medhjælper i dyrehandel", "Fodre kaniner og marsvin, gøre bure rene", "Dyrehandel"),
                ("Rengøringshjælper", "Rense kælderrum og trapper", "Ejendomsservice")),
    MeaningCase("kultur", "vikinger", ("Museumsvært", "Vise gæster rundt i udstillingen, tjekke billetter", "Museum"),
                ("Lagerhjælper", "Vikle folie om paller, køre palleløfter", "Lager")),
    MeaningCase("bageri", "wienerbrød", ("Bagerimedhjælper", "Forme boller og croissanter, pakke kager", "Bageri"),
                ("Rengøringsassistent", "Vaske brødkasser i Wien-hallen, feje gulve", "Rengøring")),
    MeaningCase("musik", "guitar", ("Scenehjælper", "Bære lydudstyr, stille scenen op til koncerter", "Spillested"),
                ("Parkeringsvagt", "Skrive guidelinjer og tjekke garager", "Parkering")),
    MeaningCase("skønhed", "negle", ("Medhjælper i skønhedssalon", "Gøre klar til manicure, vaske håndklæder, byde kunder velkommen",
                                     "Kosmetolog"),
                ("Lagermedarbejder", "Sortere søm og negleskruer i kasser", "Byggemarked")),
    MeaningCase("it", "gaming", ("IT-supporthjælper", "Opsætte computere, installere programmer", "IT-service"),
                ("Køkkenhjælp", "Skære grøntsager, rense gamle gryder", "Kantine")),
)

UNTUNED: tuple[MeaningCase, ...] = (
    MeaningCase("servering", "cappuccino", ("Caféhjælper", "Brygge kaffe, tørre borde af, tage imod bestillinger", "Kaffebar"),
                ("Pakkeriarbejder", "Pakke cappsler og låg i kasser", "Emballage")),
    MeaningCase("sport", "pilates", ("Hjælper i motionscenter", "Gøre omklædningsrum klar, lægge vægte på plads", "Fitness"),
                ("Lagermedarbejder", "Stable paller med pilatter af tagsten", "Byggemarked")),
    MeaningCase("legetøj", "puslespil", ("Butiksmedhjælper i legetøjsbutik", "Sætte dukker og bamser frem, pakke varer ud",
                                         "Detailhandel"),
                ("Rengøringsassistent", "Pudse vinduer og spejle", "Rengøring")),
    MeaningCase("bolig", "interiør", ("Butiksmedhjælper i møbelbutik", "Stille lamper og puder frem, pakke møbler ud",
                                      "Detailhandel"),
                ("Pakkeriarbejder", "Pakke interne post og breve", "Pakkecentral")),
    MeaningCase("dyr", "hvalpe", ("Medhjælper på hundepension", "Lufte hundene, fodre, gøre kenneler rene", "Hundepension"),
                ("Opvasker", "Tage opvask og hvælve glas i skabet", "Restaurant")),
    MeaningCase("grønt", "krydderurter", ("Gartnerhjælper", "Luge bede, vande planter, potte om", "Planteskole"),
                ("Kioskmedhjælper", "Fylde krydderiboller og slik op", "Kiosk")),
    MeaningCase("kultur", "arkæologi", ("Museumsvært", "Vise gæster rundt i udstillingen om oldtid", "Museum"),
                ("Kontorhjælper", "Arkivere fakturaer og logge ind i systemet", "Administration")),
    MeaningCase("bil", "veteranbiler", ("Medhjælper på autoværksted", "Skifte dæk og olie, vaske motorer", "Autoværksted"),
                ("Omsorgsmedhjælper", "Følge veteraner fra forsvaret til aktiviteter", "Bosted")),
    MeaningCase("børn", "lektiehjælp", ("Medhjælper i fritidsklub", "Lege med børnene, dække bord til eftermiddagsmad",
                                        "Fritidsklub"),
                ("Lagermedarbejder", "Sortere lektier af trælister i bundter", "Trælast")),
    MeaningCase("tøj", "sneakers", ("Medhjælper i tøjbutik", "Folde tøj, hænge kjoler op, rydde prøverum", "Tøjbutik"),
                ("Køkkenhjælp", "Smøre snacks og sandwich til mødet", "Kantine")),
)

# Hobbies a citizen may add that no opening here fits; one in three cases gets one.
OTHER_HOBBIES = ("familien", "gåture", "at se serier", "min familie")


def _opening(oid: str, job: Job, at: tuple[float, float], employer_name: str = "") -> Opening:
    title, tasks, industry = job
    return Opening(id=oid, employer_id="e" + oid, employer_name=employer_name or f"Virksomhed {oid}", title=title,
                   tasks=tasks, industry=industry, lat=at[0], lon=at[1], hours_min=3, hours_max=15,
                   shifts=frozenset({"day"}), paid_hours="from_start")


@dataclass
class World:
    citizen: Citizen
    openings: list[Opening]
    true: str
    rivals: dict[str, str]      # opening id -> "name" or "syllable"


def build_world(case: MeaningCase, seed: int) -> World:
    """One citizen, the right opening and its two false friends at one place, and 30 background
    openings spread over the same town."""
    rng = random.Random(f"{case.interest}-{seed}")
    centre = CENTRES[rng.randrange(len(CENTRES))]
    home = place(centre, rng.uniform(0, 2), rng.uniform(0, 360))
    interests = case.interest if rng.random() < 0.67 else f"{case.interest}, {rng.choice(OTHER_HOBBIES)}"
    citizen = Citizen(id=f"c-{case.interest}-{seed}", first_name="Borger", lat=home[0], lon=home[1],
                      interests=interests, hours_min=3, hours_max=10, max_travel_km=10.0)
    job_place = place(home, rng.uniform(0.5, 3.0), rng.uniform(0, 360))
    field, kind, rival_job = rng.choice([r for r in NAME_RIVALS if r[0] != case.field])
    name = f"{kind} {case.interest.capitalize()}"
    title, tasks, industry = rival_job
    name_job = (f"{title} hos {name}", f"{tasks} på {name}", industry)
    openings = [_opening("o-true", case.true, job_place), _opening("o-name", name_job, job_place, name),
                _opening("o-syllable", case.syllable, job_place)]
    background = [job for d in DOMAINS for job in d.openings]
    for i in range(30):
        at = place(centre, rng.uniform(0, 15), rng.uniform(0, 360))
        openings.append(_opening(f"o-bg{i:02d}", rng.choice(background), at))
    return World(citizen, openings, "o-true", {"o-name": "name", "o-syllable": "syllable"})
