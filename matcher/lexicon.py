"""Danish job-domain knowledge for the text matcher.

CONCEPTS maps a field of work (loosely following the job-area groupings of public Danish job
taxonomies: food, transport/warehouse, retail, ...) to the Danish words that point to it: everyday
words written by hand (fields_hand.csv), DB07 industry names and ESCO occupation labels. It is read
from the data file fields.csv, built by `python -m matcher.build_fields` (sources and method there
and in matcher/README.md). OCCUPATIONS holds ESCO's Danish labels per occupation: labels of one
occupation are synonyms ("barista", "bartender på kaffebar").
Every word is stemmed with the Danish snowball stemmer when the module is imported, and a text
token whose stem (or one of whose compound parts) is listed gets the concept tag ("#mad") as an
extra token. That is how "madlavning" meets "Køkkenhjælp" and "biler, kørsel" meets
"Chaufførmedhjælper" although they share no word. A word may belong to several fields.

Rules for editing: general domain knowledge only (never names or ids of particular employers or
citizens), single lowercase words (compounds are fine; phrases are not), and avoid words whose
stem is also a very common unrelated word.

GENERIC_WORDS are job words without a field ("medhjælper", "assistent"); they are known parts for
splitting compounds ("chaufførmedhjælper" = "chauffør" + "medhjælper") but tag nothing.

FUNCTION_WORDS and FILLER_WORDS are dropped before anything else: Danish function words, the
words every goal or experience text contains ("job", "løn", "fleksjob", "erfaring") and the
boilerplate of job ads ("team", "hverdag", "mødestabil") - none of them says anything about the
field of work. A filler's stem must not be the stem of a field word ("lære" would also drop
"lærer"; "vægt" would drop "vægte").
"""
from __future__ import annotations

import csv
from pathlib import Path

VOCABULARY_FILE = Path(__file__).with_name("fields.csv")          # built by matcher.build_fields
HAND_FILE = Path(__file__).with_name("fields_hand.csv")
OCCUPATIONS_FILE = Path(__file__).with_name("occupations.csv")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _load_concepts() -> dict[str, str]:
    """Field of work -> its words (space separated), from the sourced vocabulary file; the hand
    list alone when the file has not been built yet (matcher.build_fields reads this module)."""
    concepts: dict[str, list[str]] = {}
    if VOCABULARY_FILE.is_file():
        for row in _read_csv(VOCABULARY_FILE):
            concepts.setdefault(row["field"], []).append(row["word"])
    else:
        for row in _read_csv(HAND_FILE):
            concepts.setdefault(row["field"], []).extend(row["words"].split())
    return {field: " ".join(words) for field, words in concepts.items()}


def _load_occupations() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """ESCO occupation id -> (its fields, its Danish labels), preferred label first."""
    if not OCCUPATIONS_FILE.is_file():
        return {}
    return {row["occupation"]: (tuple(row["fields"].split()), tuple(row["labels"].split(" | ")))
            for row in _read_csv(OCCUPATIONS_FILE)}


CONCEPTS: dict[str, str] = _load_concepts()
OCCUPATIONS = _load_occupations()

GENERIC_WORDS = """
    arbejde arbejder arbejdet medarbejder medarbejdere medhjælper medhjælpere hjælper hjælpere
    hjælp assistent assistenter elev elever lærling frivillig frivillige mester svend
    branche brancher handel service ansvarlig operatør tekniker passer mand folk
    firma virksomhed centret center afdeling område områder opgaver opgave
"""

FUNCTION_WORDS = """
    ad af alle alt anden andet andre at bare blev blive bliver da de dem den denne der deres det
    dette dig din dine disse dog du efter eller en end er et for fra gennem godt han hans har
    havde have hende hendes her hos hun hvad hvis hvor i ikke ind jeg jer jo kan kunne man mange
    med meget men mig min mine mit mod ned noget nogle nu når og også om op os over på sig sin
    sine sit skal skulle som sådan thi til ud under var vi vil ville vor være været
"""

# Words that say nothing about the field of work. Unlike function words they are also dropped
# when they turn up as a part of a compound ("chaufførarbejde" -> "chauffør").
FILLER_WORDS = """
    job jobs jobbet jobbe arbejde arbejdet løn lønnet lønnede lønning timer time fleksjob
    praktik praktikplads uddannelse uddannelsen ordinært ordinær ordinære afklaring komme
    igen gerne evt eventuelt ønsker ønske gang lidt mere mest god gode ting tingene inden
    indenfor år års erfaring interesse interesser interesseret mål prøve starte start
    klasse stu fx osv samt både via deltid fuldtid småjob småjobs arbejdsplads
    arbejdspladsen kollega kollegaer kolleger ny nye nyt få flere lave laver gøre gør
    sammen hjælpe hjalp
    søger søges team teamet hverdag hverdagen hverdage glad glade mødestabil mødestabile stabil
    stabile fleksibel fleksible fleksibelt arbejdstid arbejdstider rolig roligt rolige travl
    travlt spændende varierende varieret lyst opstart aftale kontaktperson fast faste rar rart
    dygtig dygtige ansvarsfuld selvstændig stilling stillingen ansøgning mulighed muligheder
    uge ugen ugentlig dag dage
"""

# Words whose plural changes the vowel, "singular:plural": the matcher stems them from the plural
# so that "bog" meets "bøger" and "barn" meets "børn" (Danish grammar, not job knowledge).
IRREGULAR_FORMS = """
    bog:bøger bogen:bøger barn:børn barnet:børn hånd:hænder hånden:hænder mand:mænd manden:mænd
    fod:fødder foden:fødder tand:tænder bonde:bønder gås:gæs ko:køer koen:køer
"""
