"""Columns mapped by hand: a {header: field} override of what ``sniff.inspect`` detected.

The import page's mapping step, ``import_contacts --map "E-mail 1 - Value=email,…"`` and
saved mappings (``contacts.models.ImportMapping``) all end here: ``inspect(path,
encoding, mapping=…)`` detects the columns as usual, then ``apply_mapping`` gives each
named header the field the organizer chose (or none, for ``ignore``). Fields are named
as people read them (``given_name``, ``city``); Hamla's canonical column names
(``first_name``, ``area``, see ``sniff.HEADERS``) are accepted too. A mapping holds
column names only, never a cell of the file.
"""

import unicodedata

from django.utils.translation import gettext_lazy as _

from .sniff import ImportFailed, _normalise_header

# field as written in a mapping -> the canonical column name of Plan.columns (None: ignored)
FIELDS = {
    "email": "email",
    "phone": "phone",
    "given_name": "first_name",
    "family_name": "last_name",
    "full_name": "name",
    "language": "language",
    "city": "area",
    "neighbourhood": "neighbourhood",
    "tags": "tags",
    "notes": "notes",
    "status": "status",
    "opt_out": "opt_out",
    "ignore": None,
}
LABELS = {
    "email": _("Email address"),
    "phone": _("Phone"),
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "full_name": _("Full name"),
    "language": _("Preferred language"),
    "city": _("City"),
    "neighbourhood": _("Neighbourhood"),
    "tags": _("Tags"),
    "notes": _("Notes"),
    "status": _("Status (subscribed, unsubscribed, blocklisted…)"),
    "opt_out": _("Opted out (yes/no, or the date they left)"),
    "ignore": _("Ignore this column"),
}
# Meanings other tools' exports give columns (formats.py); a mapping may name them too,
# and the page offers them for a column detected as one.
OTHER_LABELS = {
    "do_not_email": _("Do not email (yes/no)"),
    "no_bulk_email": _("No bulk emails (yes/no)"),
    "cleaned": _("Address cleaned after bounces (yes/no, or a date)"),
    "attributes": _("Attributes (JSON)"),
}
# The canonical names people may also write (``first_name=…``), and how each reads back.
ALIASES = {canonical: field for field, canonical in FIELDS.items() if canonical and canonical != field}

MESSAGES = {
    "bad_map": _("Write the mapping as header=field pairs separated by commas (%(item)s)."),
    "unknown_field": _("%(field)s is not a field; use one of: %(fields)s."),
    "unknown_header": _("The file has no column named %(header)s."),
    "field_twice": _("Two columns are mapped to %(field)s; choose one."),
    "unknown_mapping": _("There is no saved mapping named %(name)s."),
}


class BadMapping(ImportFailed):
    """A mapping that cannot be applied; `code` is a key of MESSAGES."""

    def __str__(self):
        return str(MESSAGES[self.code]) % self.params


def parse_map(text):
    """{header: field} from ``--map`` text: ``header=field`` pairs separated by commas.
    A header may hold spaces, Arabic and "=" (the field is after the last one)."""
    mapping = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        header, sep, field = item.rpartition("=")
        if not sep or not header.strip() or not field.strip():
            raise BadMapping("bad_map", item=item.strip())
        canonical(field.strip())
        mapping[header.strip()] = field.strip()
    if not mapping:
        raise BadMapping("bad_map", item=text or "")
    return mapping


def canonical(field):
    """The Plan.columns name for `field` (None for ignore); BadMapping if it is none."""
    name = (field or "").strip().lower()
    if name in FIELDS:
        return FIELDS[name]
    if name in ALIASES or name in OTHER_LABELS:
        return name
    raise BadMapping("unknown_field", field=field, fields=", ".join([*FIELDS, *OTHER_LABELS]))


def public(canonical_name):
    """The field a detected canonical column reads as in a mapping (``first_name`` →
    ``given_name``); a canonical name this module does not list reads as itself."""
    return ALIASES.get(canonical_name, canonical_name)


def _plain(header):
    return unicodedata.normalize("NFC", (header or "").replace("\ufeff", "")).strip()


def find_header(header, name):
    """Index of the column `name` in `header`: the same text first, else the same once
    case, spaces and dashes are set aside (``e-mail 1 - value``). BadMapping if none."""
    wanted = _plain(name)
    for index, value in enumerate(header):
        if _plain(value) == wanted:
            return index
    loose = _normalise_header(wanted)
    for index, value in enumerate(header):
        if _normalise_header(value) == loose:
            return index
    raise BadMapping("unknown_header", header=name)


def apply_mapping(header, columns, unknown, mapping):
    """(columns, unknown) once `mapping` {header: field} is applied to what was detected.

    A mapped column loses its detected meaning and takes the chosen one; a column that was
    detected as a field the mapping gives to another column is no longer read (it is
    listed as unknown). Two columns mapped to one field are refused."""
    detected = {index: key for key, index in columns.items()}
    chosen, touched = {}, set()
    for name, field in mapping.items():
        key, index = canonical(field), find_header(header, name)
        touched.add(index)
        if key is None:
            continue
        if key in chosen and chosen[key] != index:
            raise BadMapping("field_twice", field=field)
        chosen[key] = index
    result = {key: index for key, index in columns.items() if index not in touched and key not in chosen}
    result.update(chosen)
    used = set(result.values())
    names = {_plain(header[index]) for index in touched}
    left = [name for name in unknown if _plain(name) not in names]
    displaced = [header[i].strip() for i in sorted(detected) if i not in used and i not in touched]
    return result, left + [name for name in displaced if name and name not in left]


def matches(mapping_headers, header):
    """Whether a saved mapping's headers are this file's, in any order and spelling of case."""
    return bool(mapping_headers) and {_normalise_header(h) for h in mapping_headers if h.strip()} == {
        _normalise_header(h) for h in header if h.strip()
    }
