"""docker-compose.yml is the production shape of the Procfile; no engine runs here, so
this test keeps the two (and the settings they name) from drifting apart."""

import re
import shlex

import yaml

from tests.services import ROOT


def procfile():
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = shlex.split(command)
    return entries


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_production_services():
    assert set(compose()["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_worker_and_beat_run_the_procfile_commands():
    services = compose()["services"]
    processes = procfile()
    assert services["worker"]["command"] == processes["worker"]
    assert services["beat"]["command"][: len(processes["beat"])] == processes["beat"]


def test_web_serves_the_same_wsgi_app_with_gunicorn():
    command = " ".join(compose()["services"]["web"]["command"])
    assert "gunicorn hamla.wsgi" in command
    # An access log would keep visitors' addresses, search terms and tokens from links.
    assert "access-log" not in command and "access-log" not in (ROOT / "Dockerfile").read_text().split("CMD")[-1]
    assert "migrate" in command
    assert (ROOT / "hamla" / "wsgi.py").exists()


def test_every_variable_compose_sets_is_read_by_settings():
    settings_source = (ROOT / "hamla" / "settings.py").read_text()
    services = compose()["services"]
    names = set()
    for service in ("web", "worker", "beat"):
        names |= set(services[service].get("environment", {}))
    names |= {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z_]+=", line)
    }
    for name in names:
        if name.startswith("ANYMAIL_") and name not in ("ANYMAIL_ESP", "ANYMAIL_WEBHOOK_SECRET"):
            continue  # provider keys are read by prefix
        assert f'"{name}"' in settings_source, f"{name} is set for production but settings.py never reads it"


def test_production_env_points_at_the_compose_services():
    env = compose()["services"]["web"]["environment"]
    assert env["DATABASE_URL"].split("@")[1].startswith("postgres:")
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["DEBUG"] == "false"


def test_web_is_published_on_this_machine_only():
    # Reachable from everywhere, anyone could talk to gunicorn past the TLS proxy.
    ports = compose()["services"]["web"].get("ports", [])
    assert ports and all(str(port).startswith("127.0.0.1:") for port in ports), ports


def test_the_production_env_trusts_no_forwarded_header_but_from_proxies():
    env = (ROOT / ".env.example").read_text()
    assert "HAMLA_PROXY_COUNT" not in env and "\nHAMLA_TRUSTED_PROXIES=" in env
