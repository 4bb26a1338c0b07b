"""Other tools' exports, recognised by their headers: what each column means in Hamla.

Organisations arrive with their supporters in another tool's export. Each ``Format``
below names the headers that identify the export (``signature``: all present) and what
its columns mean (``headers``: header as the tool writes it -> a field of ``FIELDS``).
Where several columns carry one field (Outlook's phones, Google's e-mails), the first
listed that the file has wins. Columns no format claims fall back to the generic
aliases in ``sniff.HEADERS``.

Status semantics (rows.py reads them): a ``status`` column holds a word (``STATUS_WORDS``);
an ``opt_out``, ``do_not_email`` or ``no_bulk_email`` column is a flag or a date, set
means the person opted out (unsubscribed); ``cleaned`` set means the address bounced.
``whole_file`` headers mark every row: Mailchimp exports its unsubscribed and cleaned
people as separate files, told apart by those columns.

Where each column name comes from (the tools' own code or documentation, read through
the project's search of public sources):

- Mailchimp audience export: ``Email Address``, ``First Name``, ``Last Name``,
  ``MEMBER_RATING``, ``OPTIN_TIME``, ``OPTIN_IP``, ``CONFIRM_TIME``, ``CONFIRM_IP``,
  ``LATITUDE`` … ``LAST_CHANGED``, ``LEID``, ``EUID``, ``NOTES``, ``TAGS``; the
  unsubscribed export adds ``UNSUB_TIME``, ``UNSUB_CAMPAIGN_TITLE``, ``UNSUB_CAMPAIGN_ID``,
  ``UNSUB_REASON``, ``UNSUB_REASON_OTHER``, the cleaned one ``CLEAN_TIME``,
  ``CLEAN_CAMPAIGN_TITLE``, ``CLEAN_CAMPAIGN_ID`` (headers quoted in code importing real
  exports, e.g. honeyformat's spec "diabolical_csv" and code.org's mailchimp engineers
  import script; ``Phone Number`` and ``Address`` are the default audience fields,
  https://mailchimp.com/help/manage-audience-signup-form-fields/). ``TAGS`` cells are
  quoted, comma-separated names: ``"volunteer","aleppo"``.
- Action Network people export (report download): ``uuid``, ``first_name``, ``last_name``,
  ``email``, ``zip_code``, ``can2_phone``, ``can2_user_address``, ``can2_user_city``,
  ``can2_state_abbreviated``, ``can2_county``, ``can2_user_tags`` (", "-separated),
  ``can2_subscription_status`` (``subscribed``/``unsubscribed``…), ``can2_sms_status``
  (as read by SURJ Bay Area's Action Network → EveryAction sync, and by scripts that load
  "https://admin.actionnetwork.org/reports/…" downloads).
- listmonk: the import format is ``email``, ``name``, ``attributes`` (a JSON object;
  https://listmonk.app/docs/import-export); the admin export adds ``uuid``, ``status``
  (``enabled``/``disabled``/``blocklisted``), ``created_at``, ``updated_at`` (knadh/listmonk
  queries.sql: ``SELECT … uuid, email, name, attribs, status, created_at, updated_at``;
  blocklisting sets ``status = 'blocklisted'``).
- CiviCRM contact export: field titles from civicrm/civicrm-core
  ``schema/Contact/Contact.entityType.php`` and ``CRM/Core/SelectValues.php``:
  ``Contact ID``, ``First Name``, ``Last Name``, ``Email``, ``Phone``, ``City``,
  ``Preferred Language`` (a locale, ``en_US``, ``ar_EG``), ``Do Not Email``,
  ``No Bulk Emails (User Opt Out)`` (``is_opt_out``; older versions titled it ``Is Opt Out``).
- Google Contacts: the current export ``First Name, Middle Name, Last Name, …, Notes,
  Photo, Labels, E-mail 1 - Label, E-mail 1 - Value, …, Phone 1 - Label, Phone 1 - Value,
  …, Address 1 - City …``; the legacy "Google CSV" ``Name, Given Name, Additional Name,
  Family Name, …, Notes, Language, Photo, Group Membership, E-mail 1 - Type,
  E-mail 1 - Value, Phone 1 - Type, Phone 1 - Value …`` (headers written by many
  exporters that Google Contacts imports; e.g. the "Google contact model" and
  ``google_keys()`` samples in public code). Labels and groups are joined by `` ::: ``,
  with system ones starred (``* myContacts``, ``* starred``); a cell with several values
  (``a@x.org ::: b@x.org``) lists them the same way.
- Outlook contacts (Outlook CSV): ``First Name, Middle Name, Last Name, Title, Suffix, …,
  E-mail Address, E-mail 2 Address, E-mail 3 Address, Primary Phone, Home Phone, …,
  Mobile Phone, …, Home City, …, Notes, …, Categories`` (Categories ";"-separated).

Excel's "CSV UTF-8" (UTF-8 with a BOM), "CSV (Windows Arabic)" (Windows-1256) and
"Unicode Text" (UTF-16 LE with a BOM, tab-separated) are encodings and delimiters:
sniff.py detects them whatever the headers.
"""

from dataclasses import dataclass, field

# What a column can mean (Plan.columns' keys). The first ten are a person's fields; the
# rest say whether they may be mailed.
FIELDS = (
    "email",
    "phone",
    "name",
    "first_name",
    "last_name",
    "language",
    "area",
    "neighbourhood",
    "tags",
    "notes",
    "status",
    "opt_out",
    "do_not_email",
    "no_bulk_email",
    "cleaned",
    "attributes",
)
# Flag columns: set (anything but empty or a "no") -> the status they impose.
FLAG_STATUS = {
    "opt_out": "unsubscribed",
    "do_not_email": "unsubscribed",
    "no_bulk_email": "unsubscribed",
    "cleaned": "bounced",
}
# Words a status column may hold -> Contact.Status. A word not listed imports the person
# as PENDING (not mailed until they confirm) and is reported: guessing "subscribed"
# could mail someone who opted out.
STATUS_WORDS = {
    "subscribed": "subscribed",
    "enabled": "subscribed",
    "active": "subscribed",
    "confirmed": "subscribed",
    "opted_in": "subscribed",
    "opt_in": "subscribed",
    "yes": "subscribed",
    "unsubscribed": "unsubscribed",
    "blocklisted": "unsubscribed",
    "blacklisted": "unsubscribed",
    "disabled": "unsubscribed",
    "inactive": "unsubscribed",
    "opted_out": "unsubscribed",
    "opt_out": "unsubscribed",
    "no": "unsubscribed",
    "cleaned": "bounced",
    "bounced": "bounced",
    "bouncing": "bounced",
    "hard_bounce": "bounced",
    "complained": "complained",
    "spam": "complained",
    "spam_complaint": "complained",
    "spam_complaints": "complained",
    "pending": "pending",
    "unconfirmed": "pending",
    "awaiting_confirmation": "pending",
}
# A flag cell holding one of these is NOT set.
FALSE_WORDS = {"0", "no", "n", "false", "f", "off", "none", "null", "-", "لا", "0.0"}


@dataclass(frozen=True)
class Format:
    name: str
    signature: tuple  # headers that, all present, identify the export
    headers: dict  # header as exported -> field; earlier entries win for one field
    whole_file: dict = field(default_factory=dict)  # header whose presence marks every row -> status
    # The export's own bookkeeping (ids, ratings, timestamps, IPs): known, deliberately not
    # imported, so not listed among the columns "not recognised".
    known: tuple = ()


MAILCHIMP = Format(
    name="mailchimp",
    signature=("Email Address", "MEMBER_RATING"),
    headers={
        "Email Address": "email",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Phone Number": "phone",
        "TAGS": "tags",
        "NOTES": "notes",
        "LANGUAGE": "language",
        "UNSUB_TIME": "opt_out",
        "CLEAN_TIME": "cleaned",
    },
    whole_file={"UNSUB_TIME": "unsubscribed", "CLEAN_TIME": "bounced"},
    known=(
        "MEMBER_RATING",
        "OPTIN_TIME",
        "OPTIN_IP",
        "CONFIRM_TIME",
        "CONFIRM_IP",
        "LATITUDE",
        "LONGITUDE",
        "GMTOFF",
        "DSTOFF",
        "TIMEZONE",
        "CC",
        "REGION",
        "LAST_CHANGED",
        "LEID",
        "EUID",
        "UNSUB_CAMPAIGN_TITLE",
        "UNSUB_CAMPAIGN_ID",
        "UNSUB_REASON",
        "UNSUB_REASON_OTHER",
        "CLEAN_CAMPAIGN_TITLE",
        "CLEAN_CAMPAIGN_ID",
    ),  # fmt: skip
)
ACTION_NETWORK = Format(
    name="action_network",
    signature=("email", "zip_code"),  # every people export has both; the can2_* columns vary
    headers={
        "email": "email",
        "first_name": "first_name",
        "last_name": "last_name",
        "can2_phone": "phone",
        "Phone Number": "phone",
        "Phone": "phone",
        "can2_user_city": "area",
        "can2_user_tags": "tags",
        "can2_subscription_status": "status",
    },
    known=("uuid", "can2_sms_status"),
)
LISTMONK = Format(
    name="listmonk",
    signature=("email", "name", "attributes"),
    headers={"email": "email", "name": "name", "attributes": "attributes", "status": "status"},
    known=("uuid", "created_at", "updated_at"),
)
CIVICRM = Format(
    name="civicrm",
    signature=("Email", "Do Not Email"),
    headers={
        "Email": "email",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Display Name": "name",
        "Phone": "phone",
        "City": "area",
        "Preferred Language": "language",
        "Do Not Email": "do_not_email",
        "No Bulk Emails (User Opt Out)": "no_bulk_email",
        "Is Opt Out": "opt_out",
        "Note": "notes",
        "Tag(s)": "tags",
        "Tags": "tags",
        "Group(s)": "tags",
    },
    known=("Contact ID", "Contact Type"),
)
GOOGLE = Format(
    name="google",
    signature=("E-mail 1 - Value",),
    headers={
        "E-mail 1 - Value": "email",
        "E-mail 2 - Value": "email",
        "Phone 1 - Value": "phone",
        "Phone 2 - Value": "phone",
        "First Name": "first_name",
        "Given Name": "first_name",
        "Last Name": "last_name",
        "Family Name": "last_name",
        "Name": "name",
        "Labels": "tags",
        "Group Membership": "tags",
        "Address 1 - City": "area",
        "Language": "language",
        "Notes": "notes",
    },
)
OUTLOOK = Format(
    name="outlook",
    signature=("E-mail Address", "First Name"),
    headers={
        "E-mail Address": "email",
        "E-mail 2 Address": "email",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Mobile Phone": "phone",
        "Primary Phone": "phone",
        "Home Phone": "phone",
        "Business Phone": "phone",
        "Home City": "area",
        "Business City": "area",
        "Categories": "tags",
        "Notes": "notes",
        "Language": "language",
    },
)
FORMATS = (MAILCHIMP, ACTION_NETWORK, LISTMONK, CIVICRM, GOOGLE, OUTLOOK)


def detect(normalised_header, normalise):
    """The Format whose signature the header has (all of it), or None. `normalised_header`
    is the set of the file's headers passed through `normalise` (sniff's)."""
    for candidate in FORMATS:
        if all(normalise(name) in normalised_header for name in candidate.signature):
            return candidate
    return None


def is_set(cell):
    """Whether a flag cell (Do Not Email, UNSUB_TIME…) is set: anything but empty or a no."""
    value = cell.strip().casefold()
    return bool(value) and value not in FALSE_WORDS


def status_word(cell):
    """The Contact status a status cell means, '' for an empty cell, None if unknown."""
    word = "_".join(cell.strip().casefold().replace("-", " ").split())
    if not word:
        return ""
    return STATUS_WORDS.get(word)
