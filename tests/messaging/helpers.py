"""Small builders for messaging tests."""

from contacts.models import Contact, ContactList, Membership
from messaging.models import Message


def make_list(name="Aleppo supporters", count=3, language="ar", status=Contact.Status.SUBSCRIBED, start=0):
    contact_list, _ = ContactList.objects.get_or_create(name=name)
    contacts = []
    for i in range(start, start + count):
        contact = Contact(language=language, status=status)
        contact.email = f"person{i}@example.org"
        contact.given_name = f"Name{i}"
        contact.save()
        Membership.objects.create(contact=contact, contact_list=contact_list)
        contacts.append(contact)
    return contact_list, contacts


def make_message(contact_list=None, **fields):
    defaults = {
        "subject_ar": "نشرة حملة",
        "body_ar": "مرحبا {{ first_name }}\n\n[إلغاء الاشتراك]({{ unsubscribe_url }})",
        "subject_en": "Campaign news",
        "body_en": "Hello {{ first_name }}\n\n[Unsubscribe]({{ unsubscribe_url }})",
    }
    message = Message.objects.create(**{**defaults, **fields})
    if contact_list is not None:
        message.lists.add(contact_list)
    return message


def started_message(count):
    """A message to a new list of `count` supporters, started: its deliveries are planned."""
    contact_list, _ = make_list(count=count)
    message = make_message(contact_list)
    message.schedule()
    message.start()
    return message
