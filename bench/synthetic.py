"""A reproducible synthetic registry in the exchange format (docs/exchange-format.md), for the
matcher benchmark.

Everything comes from one `random.Random(seed)` and fixed tables, so the same seed and sizes give
the same document byte for byte on any machine and Python version (no numpy randomness, no set or
dict iteration over unordered data). Shape:

- employers with 1-3 openings each, `openings` active openings in all, spread over Denmark's
  postcodes: a fifth in Greater Copenhagen (postcodes 1000-2999 in Region Hovedstaden), the rest
  over the other postcodes. Within each part every postcode *name* (a town, or a Copenhagen
  district such as "København K") weighs the same, shared by its codes, so the many street-level
  codes of central Copenhagen do not swallow the rest. Coordinates are jittered around the
  postcode's centre.
- openings from ~30 job families with Danish titles, tasks and industries; random shifts, hours,
  paid hours, trial weeks and can_meet/cannot_meet over the 14 need codes; valid CVR numbers.
- citizens living in Greater Copenhagen, with interests, experience and goal phrases drawn
  mostly from one or two families, needs, shifts, hours and max_travel_km between 2 and 15.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path

from data.exchange import NEED_CODES
from data.postcodes import Postcode, all_postcodes

GREATER_COPENHAGEN_SHARE = 0.2
SHIFT_CODES = ("day", "evening", "night", "weekend")


@dataclass(frozen=True)
class JobFamily:
    industry: str
    employer_names: tuple[str, ...]
    titles: tuple[str, ...]
    tasks: tuple[str, ...]
    interests: tuple[str, ...]
    experience: tuple[str, ...]
    goals: tuple[str, ...]
    heavy: bool = False          # the work usually cannot avoid heavy lifting
    customers: bool = False      # the work usually means meeting customers
    evening: bool = False        # evening and weekend shifts are common


def _family(industry, names, titles, tasks, interests, experience, goals, **flags) -> JobFamily:
    split = lambda text: tuple(part.strip() for part in text.split(";") if part.strip())  # noqa: E731
    return JobFamily(industry, split(names), split(titles), split(tasks), split(interests),
                     split(experience), split(goals), **flags)


FAMILIES: tuple[JobFamily, ...] = (
    _family("Restaurant", "Pizzeria Napoli; Restaurant Havnen; Kantinen; Spisestedet; Bistro Nord",
            "Køkkenhjælp; Køkkenmedhjælper; Opvasker; Kantinemedhjælper",
            "forberede grøntsager; lave pizzadej; opvask; anrette salater; rydde op i køkkenet; smøre sandwich",
            "madlavning; lave mad; tyrkisk mad; bage; køkken",
            "køkkenhjælper; opvasker på restaurant; kantinearbejde",
            "arbejde i et køkken; blive kok; job i en kantine", heavy=True, evening=True),
    _family("Lager og logistik", "Nordlager; Pakkecentralen; Logistikhuset; Varehuset Syd",
            "Lagermedhjælper; Ordreplukker; Pakkemedarbejder",
            "pakke varer; plukke ordrer; scanne pakker; modtage varer; sætte varer på hylder",
            "lager; pakke ting; orden og system; trucks",
            "lagerarbejde; pakkeri; truckcertifikat",
            "fast job på et lager; arbejde med logistik", heavy=True),
    _family("Dagligvarehandel", "Købmanden; Minimarked; Dagligvarebutikken; Kvartershandlen",
            "Butiksmedhjælper; Varepåfylder; Butiksassistent",
            "fylde varer på hylder; prismærke varer; ekspedere kunder; holde butikken ren; tage imod varer",
            "butik; handel; kundeservice; dagligvarer",
            "butiksarbejde; kasseassistent; ekspedient",
            "arbejde i en butik; uddannelse inden for detail", customers=True, evening=True),
    _family("Rengøring", "Rent & Pænt; Skinnende Rent; Rengøringsservice Øst; Pudsefirmaet",
            "Rengøringsassistent; Rengøringsmedhjælper",
            "gøre rent på kontorer; støvsuge; vaske gulve; tømme skraldespande; rengøre toiletter",
            "rengøring; orden; gøre rent",
            "rengøringsassistent i 10 år; rengøring på hotel",
            "fast arbejde med rengøring; flere timer"),
    _family("Vognmand og transport", "Budfirmaet; Vognmand Hansen; Byens Kurer; Transportcentralen",
            "Chaufførmedhjælper; Bud; Chauffør",
            "køre varer ud; læsse bilen; levere pakker; hjælpe chaufføren; holde bilerne rene",
            "biler; kørsel; køre bil; motorer",
            "chaufførarbejde; budkørsel; flyttemand",
            "blive chauffør; tage kørekort til lastbil", heavy=True),
    _family("Ejendomsservice", "Boligforeningen; Ejendomsservice Nord; Gårdmandsfirmaet",
            "Pedelmedhjælper; Gårdmand; Viceværtmedhjælper",
            "feje gården; skifte pærer; små reparationer; slå græs; tømme affaldsrum; male",
            "reparationer; værktøj; praktisk arbejde; håndværk",
            "pedel; vicevært; håndværker",
            "job som pedel; praktisk arbejde udendørs", heavy=True),
    _family("Anlægsgartner", "Grønne Hænder; Haveservice; Anlægsgartneren; Parkservice",
            "Gartnermedhjælper; Havemedhjælper",
            "luge bede; slå græs; plante blomster; klippe hæk; rive blade",
            "have; planter; blomster; være udenfor; natur",
            "gartner; havearbejde; landbrug",
            "arbejde udendørs; blive gartner", heavy=True),
    _family("Tegneseriebutik", "Fantasia; Tegneseriebutikken; Manga Hjørnet; Bogormen",
            "Butiksmedhjælper i tegneseriebutik; Lagermedhjælper i tegneseriebutik",
            "sortere tegneserier; sætte varer på hylder; registrere nye blade; pakke webordrer",
            "tegneserier; manga; tegne; brætspil; fantasy",
            "STU; frivillig i forening",
            "uddannelse inden for detail; arbejde med noget jeg interesserer mig for", customers=True),
    _family("Cykelværksted", "Cykelsmeden; Cykelværkstedet; Byens Cykler; Pedalen",
            "Cykelmekanikerhjælper; Værkstedsmedhjælper",
            "lappe cykelslanger; skifte kæder; samle nye cykler; rydde op på værkstedet",
            "cykler; reparere ting; mekanik; skrue",
            "cykelmekaniker; værkstedsarbejde",
            "blive cykelmekaniker; arbejde med hænderne"),
    _family("Café", "Café Solsikken; Kaffebaren; Café Hjørnet; Bønnen",
            "Cafémedhjælper; Barista; Opvasker i café",
            "lave kaffe; smøre sandwich; tage bestillinger; tørre borde af; tage opvask",
            "kaffe; café; bage kager; mennesker",
            "tjener; barista; café",
            "arbejde i en café; møde mennesker", customers=True, evening=True),
    _family("Hotel", "Hotel Kongen; Byhotellet; Hotel Havblik; Vandrerhjemmet",
            "Stuepige; Hotelmedhjælper; Morgenmadsmedhjælper",
            "rede senge; gøre værelser rent; fylde morgenmadsbuffet op; vaske håndklæder",
            "hotel; rengøring; rejser; service",
            "stuepige; hotelarbejde; rengøring",
            "job på et hotel; flere timer", evening=True),
    _family("Kontor og administration", "Revisionshuset; Kontorfællesskabet; Administrationen; Advokathuset",
            "Kontormedhjælper; Administrativ medhjælper",
            "scanne dokumenter; sortere post; makulere papir; taste data ind; arkivere",
            "kontor; computer; orden i papirer; tal",
            "kontorassistent; administration; sekretær",
            "kontorjob; uddannelse som kontorassistent"),
    _family("IT-service", "IT-hjælpen; Datahuset; PC-klinikken; Netværkshuset",
            "IT-supportmedhjælper; Testmedarbejder",
            "geninstallere computere; teste software; pakke udstyr; opdatere telefoner; hjælpe brugere",
            "computere; IT; gaming; programmering; teknik",
            "IT-support; datamatiker; test af software",
            "job med IT; uddannelse som datatekniker"),
    _family("Dyrepension", "Dyrepensionen; Hundehotellet; Dyreklinikken; Kattehuset",
            "Dyrepasser; Hundelufter; Dyrepassermedhjælper",
            "fodre dyr; gøre bure rene; lufte hunde; børste pels",
            "dyr; hunde; katte; heste",
            "dyrepasser; landbrug; hundelufter",
            "arbejde med dyr; blive dyrepasser"),
    _family("Bageri", "Morgenbrødet; Bageren; Brødhuset; Konditoriet",
            "Bagerimedhjælper; Bagerekspedient",
            "bage brød og kager; pakke brød; ekspedere kunder; gøre bageriet rent",
            "bage; kager; brød; bagning",
            "bagermedhjælper; ekspedient i bageri",
            "blive bager; fast morgenjob", customers=True),
    _family("Genbrugsbutik", "Genbrugsen; Røde Kors Butik; Kirkens Korshær Butik; Loppen",
            "Genbrugsmedhjælper; Sorteringsmedhjælper",
            "sortere tøj; prismærke varer; hænge tøj op; ekspedere kunder; tage imod donationer",
            "genbrug; tøj; bæredygtighed; loppemarked",
            "frivillig i genbrugsbutik; butiksarbejde",
            "arbejde i en butik; gøre noget godt"),
    _family("Plejecenter", "Plejecentret Solgården; Aktivitetscentret; Ældrecentret; Bofællesskabet",
            "Servicemedhjælper; Aktivitetsmedhjælper",
            "dække bord; servere mad; gå tur med beboere; læse avis højt; hjælpe med aktiviteter",
            "omsorg; ældre mennesker; hjælpe andre",
            "social- og sundhedshjælper; hjemmehjælp",
            "blive social- og sundhedshjælper; arbejde med mennesker", customers=True),
    _family("Børnehave", "Børnehaven Mælkebøtten; Vuggestuen; Fritidsklubben; Legestuen",
            "Pædagogmedhjælper; Køkkenmedhjælper i børnehave",
            "lege med børn; rydde op; hjælpe med frokost; gå tur; vaske legetøj",
            "børn; lege; pædagogik",
            "pædagogmedhjælper; barnepige",
            "uddannelse som pædagogisk assistent; arbejde med børn", customers=True),
    _family("Autoværksted", "Autoværkstedet; Bilhuset; Dækcentret; Motorhuset",
            "Mekanikermedhjælper; Bilvasker; Dækskifter",
            "vaske biler; skifte dæk; rydde op på værkstedet; hente reservedele",
            "biler; motorer; mekanik; motorcykler",
            "automekaniker; bilvask; dækskift",
            "blive automekaniker; arbejde med biler", heavy=True),
    _family("Byggeri", "Byggefirmaet; Tømrerfirmaet; Murerfirmaet; Renoveringsholdet",
            "Byggemedhjælper; Tømrermedhjælper; Håndlanger",
            "bære materialer; rydde byggepladsen; hjælpe tømreren; slibe; male vægge",
            "byggeri; håndværk; træ; bygge ting",
            "byggebranchen; tømrer; murerarbejdsmand",
            "fast job i byggeriet; blive tømrer", heavy=True),
    _family("Vaskeri", "Vaskeriet; Linnedservice; Renseriet; Tekstilvask",
            "Vaskerimedhjælper; Strygemedhjælper",
            "sortere vasketøj; folde håndklæder; stryge skjorter; pakke linned",
            "tekstiler; orden; faste opgaver",
            "vaskeri; renseri; rengøring",
            "et roligt job med faste opgaver"),
    _family("Trykkeri", "Trykkeriet; Kopicentret; Reklamehuset; Skiltefabrikken",
            "Trykkerimedhjælper; Færdiggørelsesmedhjælper",
            "folde brochurer; pakke tryksager; skære papir; lægge i kuverter",
            "grafik; tegne; design; papir",
            "trykkeri; grafisk arbejde",
            "uddannelse som grafiker; kreativt arbejde"),
    _family("Sportsklub", "Boldklubben; Svømmehallen; Fitnesscentret; Idrætsforeningen",
            "Hallmedhjælper; Banemedhjælper; Materialeforvalter",
            "kridte baner; vaske trøjer; rydde omklædningsrum; sætte udstyr frem",
            "fodbold; sport; træning; motion",
            "frivillig træner; hjælpetræner",
            "arbejde med sport; job i en idrætshal", evening=True),
    _family("Biograf og kultur", "Biografen; Kulturhuset; Teatret; Spillestedet",
            "Biografmedhjælper; Garderobemedhjælper; Kulturhusmedhjælper",
            "sælge popcorn; rive billetter; rydde sale; hænge plakater op",
            "film; musik; teater; koncerter",
            "billetsalg; garderobe; frivillig på festival",
            "arbejde med kultur; job om aftenen", customers=True, evening=True),
    _family("Supermarked", "Superbrugsen; Discountbutikken; Netto-butikken; Føtex-afdelingen",
            "Varepåfylder; Flaskeautomatmedhjælper; Kassemedarbejder",
            "fylde varer op; tømme flaskeautomat; sætte priser op; hjælpe ved kassen",
            "supermarked; handel; varer",
            "varepåfylder; kasseassistent",
            "flere timer i en butik; fast deltidsjob", heavy=True, customers=True, evening=True),
    _family("Blomsterbutik", "Blomsterhjørnet; Blomsterværkstedet; Buketten; Roser & Ranker",
            "Blomsterbindermedhjælper; Butiksmedhjælper i blomsterbutik",
            "binde buketter; vande planter; gøre butikken klar; pakke blomster ind",
            "blomster; planter; kreative ting; pynte",
            "blomsterbinder; gartneri",
            "blive blomsterbinder; kreativt arbejde", customers=True),
    _family("Bibliotek", "Biblioteket; Bogbussen; Skolebiblioteket; Arkivet",
            "Biblioteksmedhjælper; Arkivmedhjælper",
            "sætte bøger på plads; pakke bøger; registrere materialer; ordne arkiv",
            "bøger; læse; historie; ro og orden",
            "biblioteksassistent; arkivarbejde",
            "roligt arbejde med bøger; kontorjob"),
    _family("Landbrug", "Gården Østergaard; Økogården; Grøntgartneriet; Hestestalden",
            "Landbrugsmedhjælper; Staldmedhjælper",
            "fodre dyr; muge ud; høste grøntsager; pakke æg",
            "dyr; heste; landbrug; natur; traktorer",
            "landbrug; staldarbejde; gartneri",
            "arbejde på en gård; arbejde med dyr", heavy=True),
    _family("Elektronikgenbrug", "Elektronikgenbrug; PC-genbrug; Telefonværkstedet; Skrotpladsen",
            "Adskillelsesmedhjælper; Sorteringsmedarbejder",
            "skille computere ad; sortere elektronik; teste telefoner; registrere udstyr",
            "elektronik; skrue ting fra hinanden; computere; teknik",
            "elektriker; montagearbejde",
            "job med teknik; uddannelse som elektronikfagtekniker"),
    _family("Kirkegård", "Kirkegården; Sognekirken; Kapellet; Mindelunden",
            "Kirkegårdsmedhjælper; Kirketjenermedhjælper",
            "rive grusstier; vande gravsteder; luge bede; gøre kapellet klar",
            "natur; ro; havearbejde; være udenfor",
            "gartner; kirketjener",
            "et roligt job udendørs"),
)

FIRST_NAMES = (
    "Fatma", "Samir", "Sofie", "Mads", "Amira", "Jonas", "Mette", "Ali", "Emma", "Rasmus", "Leila",
    "Kasper", "Ida", "Omar", "Freja", "Mikkel", "Yasmin", "Peter", "Hanne", "Ahmed", "Line",
    "Tobias", "Nadia", "Lars", "Camilla", "Hassan", "Anne", "Jesper", "Sara", "Mustafa", "Louise",
    "Thomas", "Aisha", "Martin", "Julie", "Karim", "Birgitte", "Nikolaj", "Zainab", "Søren",
)
TARGET_GROUPS = (
    "Udsatte voksne over 30 år", "Unge med autisme", "Unge under 30 år uden uddannelse",
    "Borgere med angst og depression", "Borgere med kroniske smerter", "Borgere med erhvervet hjerneskade",
    "Borgere i misbrugsbehandling", "Borgere løsladt fra fængsel", "Flygtninge og indvandrere",
)
OTHER_LANGUAGES = ("en", "ar", "tr", "so", "fa", "pl", "ur", "uk", "ti")
STREETS = ("Hovedgaden", "Stationsvej", "Skolevej", "Kirkevej", "Industrivej", "Nørregade",
           "Vestergade", "Søndergade", "Østergade", "Møllevej", "Havnegade", "Engvej")
EXTRA_GOALS = ("flere timer", "lønnede timer", "afklaring til fleksjob", "ordinært job med løn",
               "komme ud blandt andre", "få struktur på hverdagen")


# --- places ------------------------------------------------------------------------------------

def is_greater_copenhagen(postcode: Postcode) -> bool:
    return 1000 <= int(postcode.code) <= 2999 and postcode.region == "Region Hovedstaden"


def _weighted_postcodes(postcodes: list[Postcode]) -> tuple[list[Postcode], list[float]]:
    """Each postcode name weighs the same, shared equally by the codes that carry it. Returned as
    cumulative weights, so a pick does not re-add hundreds of weights each time."""
    codes_per_name: dict[str, int] = {}
    for postcode in postcodes:
        codes_per_name[postcode.name] = codes_per_name.get(postcode.name, 0) + 1
    return postcodes, list(itertools.accumulate(1.0 / codes_per_name[p.name] for p in postcodes))


@dataclass(frozen=True)
class Places:
    copenhagen: tuple[list[Postcode], list[float]]
    elsewhere: tuple[list[Postcode], list[float]]

    @classmethod
    def load(cls) -> "Places":
        ordered = sorted(all_postcodes().values(), key=lambda p: p.code)
        return cls(_weighted_postcodes([p for p in ordered if is_greater_copenhagen(p)]),
                   _weighted_postcodes([p for p in ordered if not is_greater_copenhagen(p)]))

    def pick(self, rng: random.Random, copenhagen: bool) -> Postcode:
        postcodes, cumulative = self.copenhagen if copenhagen else self.elsewhere
        return rng.choices(postcodes, cum_weights=cumulative)[0]


def jittered(rng: random.Random, postcode: Postcode, spread_km: float) -> tuple[float, float]:
    """A point near the postcode's centre (normal, sigma spread_km), rounded to ~1 m."""
    lat = postcode.lat + rng.gauss(0.0, spread_km / 111.0)
    lon = postcode.lon + rng.gauss(0.0, spread_km / 63.0)     # ~63 km per degree of longitude at 56°N
    return round(lat, 5), round(lon, 5)


# --- small pickers -----------------------------------------------------------------------------

def valid_cvr(rng: random.Random) -> str:
    """Eight digits, first not 0, with the modulus-11 check digit (weights 2,7,6,5,4,3,2,1)."""
    while True:
        body = str(rng.randint(1_000_000, 9_999_999))
        check = -sum(w * int(d) for w, d in zip((2, 7, 6, 5, 4, 3, 2), body)) % 11
        if check < 10:
            return body + str(check)


def _some(rng: random.Random, values, low: int, high: int) -> list:
    return rng.sample(values, rng.randint(low, min(high, len(values))))


def _hours(rng: random.Random, low_range: tuple[int, int], width: tuple[int, int]) -> dict:
    low = rng.randint(*low_range)
    return {"min": low, "max": min(37, low + rng.randint(*width))}


def _shifts(rng: random.Random, evening_common: bool) -> list[str]:
    weights = (10, 6, 1, 5) if evening_common else (10, 2, 1, 2)
    chosen = {rng.choices(SHIFT_CODES, weights)[0] for _ in range(rng.randint(1, 3))}
    return [s for s in SHIFT_CODES if s in chosen]


def _needs_answer(rng: random.Random, family: JobFamily) -> tuple[list[str], list[str]]:
    can, cannot = [], []
    for code in NEED_CODES:
        likely_not = (code == "no_heavy_lifting" and family.heavy) or \
                     (code == "no_customer_contact" and family.customers)
        roll = rng.random()
        if roll < (0.6 if likely_not else 0.1):
            cannot.append(code)
        elif roll < (0.7 if likely_not else 0.45):
            can.append(code)
    return can, cannot


def _paid_hours(rng: random.Random) -> tuple[str, int]:
    paid = rng.choices(("from_start", "after_trial", "possible", "no"), (3, 3, 3, 1))[0]
    trial_weeks = rng.randint(2, 8) if paid == "after_trial" else rng.choice((0, 0, 0, 2, 4))
    return paid, trial_weeks


# --- records -----------------------------------------------------------------------------------

def make_opening(rng: random.Random, family: JobFamily, opening_id: str) -> dict:
    can_meet, cannot_meet = _needs_answer(rng, family)
    paid_hours, trial_weeks = _paid_hours(rng)
    return {
        "id": opening_id,
        "title": rng.choice(family.titles),
        "tasks": ", ".join(_some(rng, family.tasks, 2, 4)).capitalize(),
        "hours_per_week": _hours(rng, (1, 10), (2, 20)),
        "shifts": _shifts(rng, family.evening),
        "paid_hours": paid_hours,
        "trial_weeks": trial_weeks,
        "can_meet": can_meet,
        "cannot_meet": cannot_meet,
        "seats": rng.choices((1, 2, 3, 5), (20, 4, 2, 1))[0],
        "active": True,
    }


def make_employer(rng: random.Random, places: Places, number: int, first_opening: int,
                  opening_count: int) -> dict:
    family = rng.choice(FAMILIES)
    postcode = places.pick(rng, copenhagen=rng.random() < GREATER_COPENHAGEN_SHARE)
    lat, lon = jittered(rng, postcode, 0.8 if is_greater_copenhagen(postcode) else 2.0)
    employer_id = f"emp-{number:06d}"
    languages = ["da"] + (rng.sample(OTHER_LANGUAGES, 1) if rng.random() < 0.25 else [])
    return {
        "id": employer_id,
        "name": f"{rng.choice(family.employer_names)} {postcode.name}",
        "cvr": valid_cvr(rng),
        "industry": family.industry,
        "address": f"{rng.choice(STREETS)} {rng.randint(1, 150)}",
        "postcode": postcode.code,
        "lat": lat, "lon": lon,
        "contact": {"name": f"{rng.choice(FIRST_NAMES)} Kontaktperson",
                    "email": f"{employer_id}@example.dk",
                    "phone": f"+45 {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"},
        "languages": languages,
        "openings": [make_opening(rng, family, f"opn-{first_opening + i:07d}") for i in range(opening_count)],
    }


def _phrases(rng: random.Random, pools: list[tuple[str, ...]], low: int, high: int) -> str:
    pool = list(dict.fromkeys(phrase for p in pools for phrase in p))
    return ", ".join(_some(rng, pool, low, high))


def make_citizen(rng: random.Random, places: Places, number: int, consultants: int) -> dict:
    favourites = rng.sample(FAMILIES, rng.choice((1, 1, 2)))
    past = rng.choice(FAMILIES) if rng.random() < 0.4 else favourites[0]
    postcode = places.pick(rng, copenhagen=True)
    lat, lon = jittered(rng, postcode, 0.8)
    goal = _phrases(rng, [f.goals for f in favourites], 1, 1)
    if rng.random() < 0.4:
        goal += ", " + rng.choice(EXTRA_GOALS)
    record = {
        "id": f"cit-{number:06d}",
        "first_name": rng.choice(FIRST_NAMES),
        "age": rng.randint(18, 64),
        "target_group": rng.choice(TARGET_GROUPS),
        "postcode": postcode.code,
        "lat": lat, "lon": lon,
        "interests": _phrases(rng, [f.interests for f in favourites], 1, 3),
        "experience": _phrases(rng, [past.experience], 0, 2),
        "goal": goal,
        "languages": ["da"] + (rng.sample(OTHER_LANGUAGES, 1) if rng.random() < 0.3 else []),
        "hours_per_week": _hours(rng, (2, 10), (3, 15)),
        "max_travel_km": rng.choice(range(4, 31)) / 2,     # 2.0, 2.5, ... 15.0
        "needs": sorted(_some(rng, NEED_CODES, 0, 4), key=NEED_CODES.index),
        "consultant": f"konsulent{rng.randint(1, consultants):02d}@example.dk",
    }
    if rng.random() < 0.8:      # the rest state no shift preference
        record["shifts"] = _shifts(rng, evening_common=rng.random() < 0.3)
    return record


def generate(openings: int, citizens: int, seed: int = 1, consultants: int = 40) -> dict:
    """The whole document: employers (with `openings` openings in all) and `citizens` citizens."""
    rng = random.Random(seed)
    places = Places.load()
    employers = []
    made = 0
    while made < openings:
        count = min(rng.randint(1, 3), openings - made)
        employers.append(make_employer(rng, places, len(employers) + 1, made + 1, count))
        made += count
    return {
        "employers": employers,
        "citizens": [make_citizen(rng, places, n + 1, consultants) for n in range(citizens)],
    }


def write_document(document: dict, path: Path) -> int:
    """Write compact UTF-8 JSON; returns the size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(data)
    return len(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Skriv et syntetisk register i udvekslingsformatet.")
    parser.add_argument("--openings", type=int, default=100_000, help="antal aktive småjobs")
    parser.add_argument("--citizens", type=int, default=20_000, help="antal borgere")
    parser.add_argument("--seed", type=int, default=1, help="frø til tilfældighedsgeneratoren")
    parser.add_argument("--out", type=Path, default=Path("bench/out/registry.json"), help="filen der skrives")
    args = parser.parse_args(argv)
    size = write_document(generate(args.openings, args.citizens, args.seed), args.out)
    print(f"Skrev {args.out} ({size / 1e6:.1f} MB): {args.openings} småjobs, {args.citizens} borgere.")


if __name__ == "__main__":
    main()
