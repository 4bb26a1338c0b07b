"""Small builders for contacts tests."""

from contacts.models import Contact, ContactList, Membership

ARABIC_ROWS = [
    ("أحمد الحلبي", "ahmad.halabi@example.org", "0944 123 456"),
    ("فاطمة الشامي", "fatima.shami@example.org", "+963 933 222 111"),
    ("Lina Haddad", "lina.haddad@example.org", ""),
]


def make_contact(email="someone@example.org", given="سارة", family="الإدلبي", phone="", contact_list=None, **fields):
    contact = Contact(**fields)
    contact.given_name, contact.family_name, contact.email, contact.phone = given, family, email, phone
    contact.save()
    if contact_list is not None:
        Membership.objects.create(contact=contact, contact_list=contact_list)
    return contact


def write_csv(path, lines, encoding="utf-8", newline="\r\n"):
    path.write_bytes(
        newline.join(lines).encode(encoding) + newline.encode(encoding if encoding != "utf-16" else "utf-16-le")
    )
    return path


def a_list(name="Supporters"):
    return ContactList.objects.get_or_create(name=name)[0]


def crash_on_third_batch(monkeypatch):
    """Make the importer die (as a killed worker would) when it inserts the contacts of
    its third batch; returns a function that lets it run normally again."""
    from contacts.importing import pipeline

    real_insert, calls = pipeline.insert_rows, []

    def insert_rows(model, *args, **kwargs):
        if model is Contact:
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("worker killed")
        return real_insert(model, *args, **kwargs)

    monkeypatch.setattr(pipeline, "insert_rows", insert_rows)
    return lambda: monkeypatch.setattr(pipeline, "insert_rows", real_insert)
