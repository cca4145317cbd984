"""The shared codes of the exchange format (needs, shifts, paid hours) with their Danish labels,
and the bit encodings the vectorised index uses for them."""
from __future__ import annotations

from typing import Iterable

# Need code -> Danish label, in the order of the exchange format's table.
NEEDS: dict[str, str] = {
    "no_heavy_lifting": "Ingen tunge løft",
    "seated_work": "Mulighed for siddende arbejde",
    "quiet_environment": "Roligt miljø, lidt støj",
    "dimmed_light": "Dæmpet lys / skærmtilpasning",
    "flexible_breaks": "Fleksible pauser",
    "short_shifts": "Korte vagter",
    "gradual_start": "Gradvis optrapning",
    "workplace_mentor": "Fast kontaktperson / mentor",
    "clear_instructions": "Klare instruktioner og feedback",
    "predictable_tasks": "Faste, forudsigelige opgaver",
    "no_customer_contact": "Ingen kundekontakt",
    "service_dog": "Plads til servicehund",
    "criminal_record_ok": "Plettet straffeattest accepteres",
    "limited_danish": "Begrænset dansk er ok",
}

# One plain Danish sentence per need, for forms where the citizen or employer ticks needs.
NEED_EXPLANATIONS: dict[str, str] = {
    "no_heavy_lifting": "Opgaverne kan klares uden at løfte tunge eller mange ting ad gangen.",
    "seated_work": "Man kan sidde ned det meste af tiden, fx på en stol ved et bord.",
    "quiet_environment": "Der er roligt og lidt støj, og høreværn eller støjdæmpende hovedtelefoner er tilladt.",
    "dimmed_light": "Lys og skærm kan justeres, fx med dæmpet lys, skærmbriller eller skærmfilter.",
    "flexible_breaks": "Man må holde ekstra eller længere pauser, når der er brug for det.",
    "short_shifts": "Det er muligt at arbejde i korte vagter på 2–3 timer.",
    "gradual_start": "Man kan starte med meget få timer og langsomt få flere.",
    "workplace_mentor": "En fast kollega er kontaktperson og følger med i, hvordan det går.",
    "clear_instructions": "Opgaverne bliver forklaret konkret, og man får tydelig og hyppig feedback.",
    "predictable_tasks": "Opgaverne er de samme fra gang til gang og kommer i en fast rækkefølge.",
    "no_customer_contact": "Arbejdet foregår væk fra kunder og offentligheden.",
    "service_dog": "Der er plads til, at en servicehund er med på arbejdspladsen.",
    "criminal_record_ok": "Virksomheden ansætter gerne personer med en plettet straffeattest.",
    "limited_danish": "Arbejdet kan udføres, selv om man kun taler lidt dansk.",
}

SHIFT_LABELS: dict[str, str] = {"day": "Dag", "evening": "Aften", "night": "Nat", "weekend": "Weekend"}

PAID_HOURS_LABELS: dict[str, str] = {
    "from_start": "Lønnede timer fra start",
    "after_trial": "Lønnede timer efter praktik",
    "possible": "Åben for lønnede timer",
    "no": "Ingen lønnede timer",
}

# Danish names for the ISO 639-1 codes a workplace or citizen is likely to list; unknown codes
# are shown as the code itself.
LANGUAGE_NAMES: dict[str, str] = {
    "da": "dansk", "en": "engelsk", "de": "tysk", "sv": "svensk", "no": "norsk", "nb": "norsk",
    "nn": "norsk", "is": "islandsk", "fo": "færøsk", "kl": "grønlandsk", "fi": "finsk",
    "tr": "tyrkisk", "ar": "arabisk", "fa": "persisk", "ps": "pashto", "ku": "kurdisk",
    "ur": "urdu", "hi": "hindi", "pa": "punjabi", "ta": "tamilsk", "bn": "bengali",
    "so": "somali", "ti": "tigrinya", "am": "amharisk", "sw": "swahili",
    "pl": "polsk", "uk": "ukrainsk", "ru": "russisk", "ro": "rumænsk", "bg": "bulgarsk",
    "lt": "litauisk", "lv": "lettisk", "et": "estisk", "hu": "ungarsk", "cs": "tjekkisk",
    "sk": "slovakisk", "sl": "slovensk", "hr": "kroatisk", "bs": "bosnisk", "sr": "serbisk",
    "sq": "albansk", "el": "græsk", "mk": "makedonsk",
    "es": "spansk", "fr": "fransk", "it": "italiensk", "pt": "portugisisk", "nl": "hollandsk",
    "zh": "kinesisk", "ja": "japansk", "ko": "koreansk", "vi": "vietnamesisk", "th": "thai",
    "tl": "tagalog", "id": "indonesisk",
}

SHIFT_BITS: dict[str, int] = {code: 1 << i for i, code in enumerate(SHIFT_LABELS)}
NEED_BITS: dict[str, int] = {code: 1 << i for i, code in enumerate(NEEDS)}
ALL_SHIFTS_MASK = sum(SHIFT_BITS.values())

HOURS_FLOOR = 1     # a missing minimum of hours per week means 1
HOURS_CEILING = 37  # a missing maximum means 37


def shift_mask(shifts: Iterable[str] | None) -> int:
    """Bitmask of shift codes; None means any shift. Unknown codes contribute nothing."""
    if shifts is None:
        return ALL_SHIFTS_MASK
    return sum(SHIFT_BITS.get(s, 0) for s in set(shifts))


def need_mask(needs: Iterable[str]) -> int:
    return sum(NEED_BITS.get(n, 0) for n in set(needs))


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code.lower(), code)


def hours_range(hours_min: int | None, hours_max: int | None) -> tuple[int, int]:
    """Closed range of weekly hours with the exchange format's defaults for missing ends."""
    low = HOURS_FLOOR if hours_min is None else hours_min
    high = HOURS_CEILING if hours_max is None else hours_max
    return low, high
