"""What an organizer sees of a supporter's email and phone on lists and search results.

Enough to tell supporters apart and to recognise one (the first letter and the domain, the
country code, the first and last digits), never enough to copy a list of addresses: the full
details are one audited click on a single contact (contacts.views.contact_detail), and a
whole list is the admin's export.
"""

import phonenumbers

DOT = "\u2022"  # •


def mask_email(email):
    """``salma@example.org`` -> ``s•••@example.org``."""
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:
        return DOT * 3
    return f"{local[:1]}{DOT * 3}@{domain}"


def mask_phone(phone):
    """``+963912345687`` -> ``+963 9•• ••• •87``: the country code, the first and the last
    two digits of the national number."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, None)
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        code = f"+{number.country_code}"
    except phonenumbers.NumberParseException:
        shown, code = phone, ""
    head, rest = shown[: len(code)], shown[len(code) :]
    digits = [i for i, char in enumerate(rest) if char.isdigit()]
    keep = set(digits[:1] + digits[-2:]) if len(digits) > 4 else set()
    return head + "".join(char if not char.isdigit() or i in keep else DOT for i, char in enumerate(rest))
