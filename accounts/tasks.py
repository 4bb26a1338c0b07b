from celery import shared_task

from .lockout import purge_expired_attempts


@shared_task
def purge_login_attempts():
    """Beat, every ten minutes: staff addresses in django-axes' tables are kept only while
    the lock they count towards lasts (accounts/lockout.py)."""
    return purge_expired_attempts()
