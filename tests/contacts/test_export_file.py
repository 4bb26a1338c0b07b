import stat

import pytest
from django.core.management import call_command

from contacts.models import ContactList

from .helpers import make_contact

pytestmark = pytest.mark.django_db


def test_the_export_command_writes_a_file_only_its_owner_can_read(tmp_path):
    contact_list = ContactList.objects.create(name="Aleppo")
    make_contact(contact_list=contact_list)
    out = tmp_path / "export.csv"
    call_command("export_contacts", "--list", "Aleppo", "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
