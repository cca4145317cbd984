"""The employer form (public sign-up and the private update link): fields, form-only checks and
the translation between form data and an exchange-format employer record.

The rules a record must follow live in `data.exchange.parse_employer`, shared with the API and
import; this module adds only what a web form needs: Danish messages, phone and e-mail formats,
consent, size limits and a refusal of markup.
"""
from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, RadioField,
                     SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from stdnum.dk import cvr as cvr_number

from data.signups import industries, industry_name
from matcher import NEED_EXPLANATIONS, NEEDS, SHIFT_LABELS
from matcher.vocabulary import language_name
from web.forms import choices, plain_text_field

MAX_OPENINGS = 20
NEED_CHOICES = [("kan", "Kan"), ("kan_ikke", "Kan ikke"), ("ved_ikke", "Ved ikke")]
PAID_HOURS_CHOICES = [
    ("from_start", "Ja, fra start"),
    ("after_trial", "Ja, efter en praktik på et antal uger"),
    ("possible", "Måske, det kan vi tale om"),
    ("no", "Nej"),
]
CANDIDATE_INFO_CHOICES = [
    ("lidt", "Kun det nødvendige: hvad personen skal kunne, og hvornår"),
    ("noget", "Lidt om personen og de hensyn, vi skal tage"),
    ("meget", "Så meget som muligt, før vi mødes"),
]
TALK_WITH_CHOICES = [
    ("borger", "Direkte med kandidaten"),
    ("konsulent", "Med konsulenten"),
    ("begge", "Begge dele er fint"),
]
# Languages offered as checkboxes: Danish first, then those most often spoken at the workplaces
# and by the citizens the providers serve.
LANGUAGE_CODES = ("da", "en", "de", "pl", "uk", "ro", "tr", "ar", "fa", "ur", "so", "ti", "ku", "es")

# WTForms' own messages in Danish (it ships no Danish translation).
_DANISH = {
    "Not a valid integer value.": "Skriv et helt tal.",
    "Not a valid choice.": "Vælg en af mulighederne.",
    "Invalid Choice: could not coerce.": "Vælg en af mulighederne.",
    "This field is required.": "Skal udfyldes.",
    "'%(value)s' is not a valid choice for this field.": "Vælg en af mulighederne.",
    "'%(value)s' are not valid choices for this field.": "Vælg blandt mulighederne.",
}


class _DanishTranslations:
    def gettext(self, string):
        return _DANISH.get(string, string)

    def ngettext(self, singular, plural, n):
        return _DANISH.get(singular if n == 1 else plural, singular if n == 1 else plural)


class _DanishMeta:
    def get_translations(self, form):
        return _DanishTranslations()


_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|&#?\w+;|javascript:", re.IGNORECASE)


def no_markup(form, field):
    """Names and texts are plain text: markup is refused at the door, and pages escape anyway."""
    value = field.data or ""
    if not isinstance(value, str):
        return
    if _MARKUP.search(value):
        raise ValidationError("Må ikke indeholde HTML eller kode (fx < >). Skriv almindelig tekst.")
    plain_text_field(form, field)


def danish_phone(form, field):
    value = (field.data or "").strip()
    if not value:
        return
    try:
        number = phonenumbers.parse(value, "DK")
    except phonenumbers.NumberParseException:
        raise ValidationError("Skriv et telefonnummer, fx 20 12 34 56 eller +45 20 12 34 56.")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Telefonnummeret findes ikke. Et dansk nummer har otte cifre, fx 20 12 34 56.")
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def email_address(form, field):
    value = (field.data or "").strip()
    if not value:
        return
    try:
        field.data = validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError("Skriv en gyldig e-mailadresse, fx navn@firma.dk.")


def _text(label, required=None, max_len=200, **kwargs):
    validators = [DataRequired(required) if required else Optional(), Length(max=max_len,
                  message=f"Højst {max_len} tegn."), no_markup]
    return StringField(label, validators=validators, filters=[_strip], **kwargs)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BlankIntegerField(IntegerField):
    """An integer field where an empty box means "not given" (None) rather than an error."""

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _need_field_name(code: str) -> str:
    return f"need_{code}"


class OpeningForm(Form):
    """One small job. A plain wtforms.Form: the CSRF token belongs to the outer form."""

    class Meta(_DanishMeta):
        pass

    opening_id = HiddenField(validators=[Length(max=100)])
    title = _text("Hvad hedder jobbet?", required="Skriv, hvad jobbet hedder, fx Køkkenhjælp.")
    tasks = TextAreaField("Hvad skal man lave?", filters=[_strip], validators=[
        DataRequired("Beskriv kort opgaverne, fx opvask og rengøring af borde."),
        Length(max=2000, message="Højst 2000 tegn."), no_markup])
    hours_min = IntegerField("Timer om ugen, mindst", validators=[
        Optional(), NumberRange(1, 37, "Skriv et tal mellem 1 og 37.")])
    hours_max = IntegerField("Timer om ugen, højst", validators=[
        Optional(), NumberRange(1, 37, "Skriv et tal mellem 1 og 37.")])
    shifts = MultiCheckboxField("Hvornår på dagen?", choices=choices(list(SHIFT_LABELS.items())), default=["day"],
                                validators=[DataRequired("Vælg mindst ét tidspunkt.")])
    paid_hours = RadioField("Kan jobbet blive med løn (lønnede timer)?", choices=choices(PAID_HOURS_CHOICES),
                            default="possible")
    trial_weeks = BlankIntegerField("Hvor mange ugers praktik først?")
    seats = IntegerField("Hvor mange kan I have på én gang?", default=1, validators=[
        InputRequired("Skriv et tal, fx 1."), NumberRange(1, 100, "Skriv et tal mellem 1 og 100.")])
    close = BooleanField("Luk dette småjob (det bliver ikke længere vist for konsulenterne)")

    def need_fields(self):
        return [(code, NEEDS[code], NEED_EXPLANATIONS[code], self[_need_field_name(code)]) for code in NEEDS]

    def validate_hours_max(self, field):
        low, high = self.hours_min.data, self.hours_max.data
        if low is not None and high is not None and low > high:
            raise ValidationError("Højst-tallet skal være mindst lige så stort som mindst-tallet.")

    def validate_trial_weeks(self, field):
        # Checked only when it applies; otherwise whatever is there is ignored (not stored).
        if self.paid_hours.data != "after_trial":
            field.errors[:] = []
            return
        if field.data is None and not field.errors:
            raise ValidationError("Skriv, hvor mange uger praktikken varer, før der kommer løn.")
        if field.data is not None and not 1 <= field.data <= 52:
            raise ValidationError("Skriv et antal uger mellem 1 og 52.")


for _code, _label in NEEDS.items():
    setattr(OpeningForm, _need_field_name(_code), RadioField(_label, choices=choices(NEED_CHOICES), default="ved_ikke"))


def _industry_choices() -> list[SelectChoice]:
    options = [SelectChoice("", "Vælg branche (kan springes over)")]
    for _, section, groups in industries():
        options.extend(SelectChoice(code, name, optgroup=section) for code, name in groups)
    return options



class EmployerForm(FlaskForm):
    class Meta(_DanishMeta):
        pass

    name = _text("Virksomhedens navn", required="Skriv virksomhedens navn.")
    cvr = _text("CVR-nummer", required="Skriv jeres CVR-nummer (otte cifre).", max_len=20,
                render_kw={"inputmode": "numeric", "autocomplete": "off"})
    address = _text("Adresse", required="Skriv adressen, hvor arbejdet foregår.",
                    render_kw={"autocomplete": "street-address"})
    postcode = _text("Postnummer", required="Skriv postnummeret (fire cifre).", max_len=10,
                     render_kw={"inputmode": "numeric", "autocomplete": "postal-code"})
    industry_code = SelectField("Branche", choices=_industry_choices(), default="", validate_choice=True)
    industry_text = _text("Eller beskriv branchen med egne ord", render_kw={"placeholder": "fx Pizzeria"})
    contact_name = _text("Kontaktperson", required="Skriv navnet på den, vi skal tale med.",
                         render_kw={"autocomplete": "name"})
    contact_email = _text("E-mail", required="Skriv en e-mailadresse, vi kan skrive til.", max_len=254,
                          render_kw={"type": "email", "autocomplete": "email"})
    contact_phone = _text("Telefon", required="Skriv et telefonnummer.", max_len=30,
                          render_kw={"type": "tel", "autocomplete": "tel"})
    languages = MultiCheckboxField("Sprog, der tales på arbejdspladsen",
                                   choices=choices([(c, language_name(c).capitalize()) for c in LANGUAGE_CODES]),
                                   default=["da"])
    openings = FieldList(FormField(OpeningForm), min_entries=1, max_entries=MAX_OPENINGS)
    candidate_info = RadioField("Hvor meget vil I vide om kandidaten på forhånd?", choices=choices(CANDIDATE_INFO_CHOICES),
                                validators=[InputRequired("Vælg en af mulighederne.")])
    talk_with = RadioField("Hvem vil I helst tale med?", choices=choices(TALK_WITH_CHOICES),
                           validators=[InputRequired("Vælg en af mulighederne.")])
    consent_contact = BooleanField("Ja, I må kontakte os om kandidater til vores småjob",
                                   validators=[DataRequired("Sæt kryds, hvis I vil kontaktes. Ellers kan vi ikke hjælpe.")])
    consent_store = BooleanField("Ja, I må gemme oplysningerne, som beskrevet på siden om data",
                                 validators=[DataRequired("Sæt kryds for at vi må gemme oplysningerne.")])
    # Honeypot: hidden from people by CSS and aria-hidden; a bot that fills every field gives itself away.
    website = StringField("Lad dette felt være tomt", validators=[Length(max=200)])
    add_opening = SubmitField("Tilføj endnu et småjob")
    submit = SubmitField("Send tilmelding")

    def validate_contact_email(self, field):
        email_address(self, field)

    def validate_contact_phone(self, field):
        danish_phone(self, field)

    def validate_openings(self, field):
        if len(field.entries) > MAX_OPENINGS:
            raise ValidationError(f"Højst {MAX_OPENINGS} småjobs ad gangen.")


class LinkRequestForm(FlaskForm):
    """Ask for a new private link: the CVR number or the contact e-mail we have on record."""

    class Meta(_DanishMeta):
        pass

    who = _text("CVR-nummer eller e-mail", required="Skriv jeres CVR-nummer eller jeres e-mailadresse.", max_len=254,
                render_kw={"autocomplete": "email"})
    submit = SubmitField("Send et nyt link")

    def validate_who(self, field):
        value = field.data or ""
        digits = value.replace(" ", "")
        if digits.isdigit():
            if len(digits) != 8 or not cvr_number.is_valid(digits):
                raise ValidationError("Et CVR-nummer har otte cifre, fx 12 34 56 74. Tjek, at det er skrevet rigtigt.")
            field.data = digits
        elif "@" in value:
            email_address(self, field)
        else:
            raise ValidationError("Skriv et CVR-nummer (otte cifre) eller en e-mailadresse, fx navn@firma.dk.")

    def lookup_key(self) -> tuple[str | None, str | None]:
        """(cvr, None) or (None, e-mail) of a validated form."""
        value = self.who.data or ""
        return (value, None) if value.isdigit() else (None, value)


# The order fields appear on the page (the error list at the top follows it).
PAGE_ORDER = ("name", "cvr", "address", "postcode", "industry_code", "industry_text", "languages", "contact_name",
              "contact_email", "contact_phone", "openings", "candidate_info", "talk_with", "consent_contact",
              "consent_store")
OPENING_PAGE_ORDER = ("title", "tasks", "hours_min", "hours_max", "shifts", "paid_hours", "trial_weeks", "seats",
                      *(_need_field_name(code) for code in NEEDS), "close")
_GROUP_TYPES = ("RadioField", "MultiCheckboxField")


def error_summary(form: EmployerForm) -> list[dict]:
    """Every error on the page, in page order, as {target, label, message}: the notice at the top
    lists them as links to their fields. `target` is the id of the element to jump to (the first
    option of a group of radio buttons or checkboxes)."""
    items = []
    for name in PAGE_ORDER:
        field = form[name]
        if name != "openings":
            items.extend(_summary_items(field, ""))
            continue
        for number, entry in enumerate(field.entries, 1):
            for sub_name in OPENING_PAGE_ORDER:
                items.extend(_summary_items(entry.form[sub_name], f"Småjob {number}: "))
        for message in field.errors:
            if isinstance(message, str):  # the list's own errors (the entries' are dicts)
                items.append({"target": "smajob-1", "label": "Småjobs:", "message": message})
    return items


def _summary_items(field, prefix: str) -> list[dict]:
    if not field.errors:
        return []
    target = f"{field.id}-0" if field.type in _GROUP_TYPES else field.id
    label = prefix + field.label.text
    # "Hvad hedder jobbet? Skriv, ..." reads better than "Hvad hedder jobbet?: Skriv, ...".
    label = label if label.endswith("?") else label + ":"
    return [{"target": target, "label": label, "message": str(field.errors[0])}]


def to_exchange_record(form: EmployerForm, employer_id: str = "ny") -> dict:
    """The form's data as an exchange-format employer (before validation by parse_employer)."""
    industry = form.industry_text.data or industry_name(form.industry_code.data or "") or ""
    record = {
        "id": employer_id,
        "name": form.name.data or "",
        "cvr": (form.cvr.data or "").replace(" ", "") or None,
        "industry": industry,
        "address": form.address.data or "",
        "postcode": form.postcode.data or "",
        "contact": {"name": form.contact_name.data or "", "email": form.contact_email.data or "",
                    "phone": form.contact_phone.data or ""},
        "languages": list(form.languages.data or []) or ["da"],
        "openings": [_opening_record(entry.form, i) for i, entry in enumerate(form.openings.entries)],
        # Extra fields the exchange format keeps as they are.
        "collaboration": {"candidate_info": form.candidate_info.data, "talk_with": form.talk_with.data},
        "consent": {"contact": bool(form.consent_contact.data), "store": bool(form.consent_store.data)},
    }
    if form.industry_code.data and not form.industry_text.data:
        record["db07_hovedgruppe"] = form.industry_code.data
    if record["cvr"] is None:
        del record["cvr"]
    return record


def _opening_record(sub: OpeningForm, index: int) -> dict:
    can_meet = [c for c in NEEDS if sub[_need_field_name(c)].data == "kan"]
    cannot_meet = [c for c in NEEDS if sub[_need_field_name(c)].data == "kan_ikke"]
    record = {
        "id": sub.opening_id.data or f"ny-{index + 1}",
        "title": sub.title.data or "",
        "tasks": sub.tasks.data or "",
        "shifts": list(sub.shifts.data or []),
        "paid_hours": sub.paid_hours.data if sub.paid_hours.data in dict(PAID_HOURS_CHOICES) else "possible",
        "trial_weeks": (sub.trial_weeks.data or 0) if sub.paid_hours.data == "after_trial" else 0,
        "can_meet": can_meet,
        "cannot_meet": cannot_meet,
        "seats": sub.seats.data if isinstance(sub.seats.data, int) else 1,
        "active": not sub.close.data,
    }
    hours = {}
    if isinstance(sub.hours_min.data, int):
        hours["min"] = sub.hours_min.data
    if isinstance(sub.hours_max.data, int):
        hours["max"] = sub.hours_max.data
    if hours:
        record["hours_per_week"] = hours
    return record


def fill_from_record(form: EmployerForm, employer: dict) -> None:
    """Prefill the form with a stored employer (the private update link)."""
    extra = employer.get("extra") or {}
    collaboration = extra.get("collaboration") or {}
    form.name.data, form.cvr.data = employer["name"], employer.get("cvr") or ""
    form.address.data, form.postcode.data = employer["address"], employer["postcode"]
    code = extra.get("db07_hovedgruppe") or ""
    form.industry_code.data = code
    form.industry_text.data = "" if code else employer["industry"]
    form.contact_name.data = employer["contact_name"]
    form.contact_email.data = employer["contact_email"]
    form.contact_phone.data = employer["contact_phone"]
    form.languages.data = [c for c in employer["languages"] if c in LANGUAGE_CODES]
    form.candidate_info.data = collaboration.get("candidate_info")
    form.talk_with.data = collaboration.get("talk_with")
    while form.openings.entries:
        form.openings.pop_entry()
    for opening in employer["openings"]:
        if not opening["active"]:
            continue
        entry = form.openings.append_entry().form
        entry.opening_id.data = opening["id"]
        entry.title.data, entry.tasks.data = opening["title"], opening["tasks"]
        entry.hours_min.data, entry.hours_max.data = opening["hours_min"], opening["hours_max"]
        entry.shifts.data = opening["shifts"]
        entry.paid_hours.data = opening["paid_hours"]
        entry.trial_weeks.data = opening["trial_weeks"] or None
        entry.seats.data = opening["seats"]
        for code in NEEDS:
            entry[_need_field_name(code)].data = (
                "kan" if code in opening["can_meet"] else "kan_ikke" if code in opening["cannot_meet"] else "ved_ikke")


# Where a problem found by parse_employer is shown: exchange field -> form field name.
EMPLOYER_FIELD_FOR_PROBLEM = {
    "name": "name", "cvr": "cvr", "address": "address", "postcode": "postcode", "industry": "industry_text",
    "contact": "contact_email", "contact.email": "contact_email", "contact.name": "contact_name",
    "contact.phone": "contact_phone", "languages": "languages", "openings": "openings",
    "lat": "postcode", "lon": "postcode",
}
OPENING_FIELD_FOR_PROBLEM = {
    "title": "title", "tasks": "tasks", "hours_per_week": "hours_max", "min": "hours_min", "max": "hours_max",
    "shifts": "shifts", "paid_hours": "paid_hours", "trial_weeks": "trial_weeks", "seats": "seats",
    "can_meet": "title", "cannot_meet": "title", "active": "close",
}


def problem_text(reason: str) -> str:
    """parse_employer's reason, as a sentence for a form: without the echoed value."""
    if reason.startswith("'") and "': " in reason:
        reason = reason.split("': ", 1)[1]
    if reason in ("mangler", "må ikke være tom"):
        return "Skal udfyldes."
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


def attach_problems(form: EmployerForm, problems, record: dict) -> list[str]:
    """Put each problem next to its field; returns those that have no field (shown on top)."""
    opening_index = {o["id"]: i for i, o in enumerate(record["openings"]) if isinstance(o, dict)}
    unplaced = []
    for problem in problems:
        field = None
        if problem.kind == "småjob" and problem.record_id in opening_index:
            sub = form.openings.entries[opening_index[problem.record_id]].form
            name = OPENING_FIELD_FOR_PROBLEM.get(problem.field)
            field = sub[name] if name else None
        elif problem.kind == "virksomhed":
            name = EMPLOYER_FIELD_FOR_PROBLEM.get(problem.field)
            field = form[name] if name else None
        if field is None:
            unplaced.append(problem_text(problem.reason))
        elif not field.errors:  # one clear message per field is enough
            field.errors = list(field.errors) + [problem_text(problem.reason)]
    return unplaced
