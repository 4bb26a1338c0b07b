# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Four processes on two cores: the slowest tests (marked `waits`, run first) mostly wait on
# worker processes they killed or services they restarted, while the others fill the cores.
TEST_PROCESSES ?= 4
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test venv migrate seed totp lint format messages bench clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Hamla needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

migrate: venv
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Web on http://127.0.0.1:8000/, a Celery worker and Celery beat; Ctrl-C stops all three.
run: seed
	$(BIN)/honcho start -f Procfile

test: venv
	$(BIN)/python -m pytest -p tests.isolation -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

totp: venv
	@$(BIN)/python manage.py totp_code $(USER)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Templates need the settings to be read, or makemessages silently skips their strings.
messages: venv
	for app in organisation accounts contacts campaigns flyers asks messaging public_pages; do (cd $$app && DJANGO_SETTINGS_MODULE=hamla.settings PYTHONPATH=$(CURDIR) ../$(BIN)/django-admin makemessages -l ar --no-obsolete); done
	$(BIN)/python manage.py makemessages -l ar --no-obsolete --ignore='.venv/*' --ignore='organisation/*' --ignore='accounts/*' --ignore='contacts/*' --ignore='campaigns/*' --ignore='flyers/*' --ignore='asks/*' --ignore='messaging/*' --ignore='public_pages/*' --ignore='devtools/*' --ignore='tests/*' --ignore='var/*'
	$(BIN)/python manage.py compilemessages --ignore='.venv/*'

bench: venv
	$(BIN)/python manage.py bench all --json

clean:
	rm -rf $(VENV) var
