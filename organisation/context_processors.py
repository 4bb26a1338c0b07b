from django.utils.functional import SimpleLazyObject

from .models import Organisation


def organisation(request):
    """`organisation` in every page's context, read (one query) only by a page that uses it."""
    return {"organisation": SimpleLazyObject(Organisation.current)}
