"""Full names split with Arabic-aware rules (contacts/importing/names.py); given and family
columns are never split again (issue 12, finding 5)."""

import pytest

from contacts.importing.names import split_full_name
from contacts.importing.rows import parse_row

NAMES = [
    ("عبد الرحمن حداد", ("عبد الرحمن", "حداد")),
    ("عبد الله الحلبي", ("عبد الله", "الحلبي")),
    ("عبدالله الحلبي", ("عبدالله", "الحلبي")),
    ("عبـد الكريم الشامي", ("عبـد الكريم", "الشامي")),
    ("أبو بكر العلي", ("أبو بكر", "العلي")),
    ("ابو بكر العلي", ("ابو بكر", "العلي")),
    ("أم كلثوم إبراهيم", ("أم كلثوم", "إبراهيم")),
    ("نور الدين زنكي", ("نور الدين", "زنكي")),
    ("أحمد الحلبي", ("أحمد", "الحلبي")),
    ("محمد الأحمد", ("محمد", "الأحمد")),
    ("حسن نصر الله", ("حسن", "نصر الله")),
    ("محمد بن سلمان آل سعود", ("محمد", "بن سلمان آل سعود")),
    ("عبد الله بن عمر", ("عبد الله", "بن عمر")),
    ("عمر ابن الخطاب", ("عمر", "ابن الخطاب")),
    ("عبد الرحمن", ("عبد الرحمن", "")),
    ("عبد", ("عبد", "")),
    ("فاطمة", ("فاطمة", "")),
    ("  سلمى   العلي  ", ("سلمى", "العلي")),
    ("Abdul Rahman Haddad", ("Abdul Rahman", "Haddad")),
    ("Abu Bakr Ali", ("Abu Bakr", "Ali")),
    ("Lina Haddad", ("Lina", "Haddad")),
    ("", ("", "")),
]


@pytest.mark.parametrize("full, expected", NAMES)
def test_a_full_name_splits_into_the_given_name_and_the_family_part(full, expected):
    assert split_full_name(full) == expected


@pytest.mark.django_db
def test_given_and_family_columns_are_never_split_again():
    row = parse_row(["عبد الرحمن", "بن خالد الحداد", "a@example.org"], {"first_name": 0, "last_name": 1, "email": 2}, 2)
    assert (row.given_name, row.family_name) == ("عبد الرحمن", "بن خالد الحداد")


@pytest.mark.django_db
def test_a_full_name_column_is_split_with_the_arabic_rules_on_import():
    row = parse_row(["عبد الرحمن حداد", "a@example.org"], {"name": 0, "email": 1}, 2)
    assert (row.given_name, row.family_name) == ("عبد الرحمن", "حداد")
