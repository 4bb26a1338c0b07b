"""Step 0 of the demo scenario: the organisation profile, from the organisation's own account
(its name as its "who we are" text writes it, the cities it works in). Idempotent: a profile
already filled in is left as it is."""

from organisation.models import Organisation

PROFILE = {
    "name_ar": "كش ملك",
    "name_en": "Kesh Malek",
    "sender_name": "كش ملك · Kesh Malek",
    "contact_line": "حلب · غازي عنتاب — Aleppo · Gaziantep",
    "accent": "#0B6E4F",
}


def load(stdout):
    profile = Organisation.current()
    if profile.name_ar or profile.name_en:
        stdout.write("organisation: profile already filled in.")
        return
    for field, value in PROFILE.items():
        setattr(profile, field, value)
    profile.save()
    stdout.write(f"organisation: profile of {profile.name_en} saved.")
