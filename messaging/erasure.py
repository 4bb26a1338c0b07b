"""What messaging forgets when a contact is erased (connected to contacts.models.contact_erased
from MessagingConfig.ready).

A delivery row stays, with its status, so a newsletter's counts do not change; what
could lead back to the person goes: the error text (a provider may have quoted their
address or name) and the provider's message id (the provider's logs name the recipient).
"""

from .models import Delivery


def forget_contact(sender, contact_id, **kwargs):
    Delivery.objects.filter(contact_id=contact_id).update(error="", provider_message_id="")
