"""`{{ message|sample_subject }}`: a newsletter's subject as pages show it, its merge fields
filled for the sample supporter (messaging/compose.py), never raw "{{ first_name }}"."""

from django import template

from .. import compose

register = template.Library()


@register.filter
def sample_subject(message, language=None):
    return compose.sample_subject(message, language)
