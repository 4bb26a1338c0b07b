"""Step 2 of the demo scenario: obviously fake supporters on a demo list (idempotent)."""

from contacts.models import ConsentEvent, Contact, ContactList, Membership, Tag

LIST_NAME = "Demo supporters (fake)"
PEOPLE = [
    ("تجريبي", "أحمد", "ar", "حلب"),
    ("تجريبية", "سلمى", "ar", "غازي عنتاب"),
    ("Demo", "Sam", "en", "Gaziantep"),
    ("تجريبي", "خالد", "ar", "إدلب"),
    ("Test", "Lina", "en", "Istanbul"),
    ("Deneme", "Ayşe", "tr", "Gaziantep"),
]


def load(stdout):
    contact_list, _ = ContactList.objects.get_or_create(
        name=LIST_NAME, defaults={"description": "Fake people for trying Hamla out."}
    )
    tag = Tag.objects.named("demo")
    created = 0
    for i in range(30):
        family, given, language, city = PEOPLE[i % len(PEOPLE)]
        email = f"demo.supporter.{i + 1}@example.org"
        if Contact.objects.by_email(email):
            continue
        contact = Contact(language=language, city=city, source="demo")
        contact.given_name = f"{given} {i + 1}"
        contact.family_name = family
        contact.email = email
        if i % 3 == 0:
            contact.phone = f"+90555000{i + 1:04d}"
        if i % 10 == 9:
            contact.status = Contact.Status.UNSUBSCRIBED
        contact.save()
        Membership.objects.create(contact=contact, contact_list=contact_list)
        contact.tags.add(tag)
        ConsentEvent.objects.create(
            contact=contact, kind=ConsentEvent.Kind.SUBSCRIBED, method="demo", contact_list=contact_list
        )
        created += 1
    stdout.write(f"contacts: {created} demo supporters added to {LIST_NAME!r}")
