"""Production settings: `check --deploy` is clean, and missing variables fail clearly."""

import subprocess
import sys

from tests.services import ROOT

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#k2p!q9zr4m8w1v6n3b5c0l-production-like-secret-key-value",
    "ALLOWED_HOSTS": "hamla.example.org",
    "SITE_URL": "https://hamla.example.org",
    "DATABASE_URL": "postgres://hamla:hamla@127.0.0.1:5432/hamla",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "HAMLA_ENCRYPTION_KEY": "WmX2cW9uZy1rZXktZm9yLXRlc3RzLW9ubHktMzJieXQ=",
    "EMAIL_HOST": "smtp.example.org",
}
NO_MAIL_ROUTE = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_HOST"}


def manage(*args, env, tmp_path):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HAMLA_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_required_variables(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k not in ("SECRET_KEY", "HAMLA_ENCRYPTION_KEY")}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "HAMLA_ENCRYPTION_KEY" in result.stderr
    assert "README" in result.stderr


def test_seed_demo_refuses_to_run_in_production(tmp_path):
    result = manage("seed_demo", env={**PRODUCTION, "HAMLA_DEVTOOLS": "1"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_refuses_to_start_without_a_way_to_send_mail(tmp_path):
    result = manage("check", "--deploy", env=NO_MAIL_ROUTE, tmp_path=tmp_path)
    assert result.returncode != 0
    assert all(name in result.stderr for name in ("EMAIL_HOST", "ANYMAIL_ESP", "EMAIL_BACKEND", "README"))


def test_production_refuses_a_backend_that_keeps_mail_on_this_machine(tmp_path):
    for backend in ("core.mail.OutboxBackend", "django.core.mail.backends.filebased.EmailBackend"):
        result = manage("check", env={**NO_MAIL_ROUTE, "EMAIL_BACKEND": backend}, tmp_path=tmp_path)
        assert result.returncode != 0 and "EMAIL_HOST" in result.stderr, backend


def test_production_accepts_an_email_provider_or_an_explicit_sending_backend(tmp_path):
    for route in (
        {"ANYMAIL_ESP": "postmark", "ANYMAIL_POSTMARK_SERVER_TOKEN": "x"},
        {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
    ):
        env = {**NO_MAIL_ROUTE, **route}
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
