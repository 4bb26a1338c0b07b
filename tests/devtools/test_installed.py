"""devtools is installed only in development: a production process has none of its commands."""

import json
import subprocess
import sys

from tests.foundation.test_settings import PRODUCTION, manage
from tests.services import ROOT

DEV_COMMANDS = ("bench", "seed_demo", "totp_code")


def installed_apps(env, tmp_path):
    """INSTALLED_APPS as settings compute them from `env` alone, in a fresh process."""
    code = "import json; from hamla import settings; print(json.dumps(settings.INSTALLED_APPS))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HAMLA_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def listed_commands(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return {line.strip() for line in result.stdout.splitlines() if line.startswith("    ")}


def test_production_settings_do_not_install_devtools(tmp_path):
    apps = installed_apps(PRODUCTION, tmp_path)
    assert "devtools" not in apps
    assert "messaging" in apps  # the settings really were evaluated


def test_production_has_no_development_commands(tmp_path):
    commands = listed_commands(manage("help", env=PRODUCTION, tmp_path=tmp_path))
    assert "migrate" in commands
    assert not commands & set(DEV_COMMANDS), commands


def test_development_and_an_explicit_switch_install_devtools(tmp_path):
    assert "devtools" in installed_apps({"DEBUG": "true"}, tmp_path)
    assert "devtools" in installed_apps({**PRODUCTION, "HAMLA_DEVTOOLS": "1"}, tmp_path)
    commands = listed_commands(manage("help", env={"DEBUG": "true"}, tmp_path=tmp_path))
    assert set(DEV_COMMANDS) <= commands
