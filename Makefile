# NetBuilder: two commands on a fresh machine with Python 3.11 and make.
#   make run   create .venv if missing, install, open the app on an example
#   make test  same environment, run the whole suite headless
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXAMPLE ?= resources/examples/small_cnn.nbproj
# pytest-xdist workers: one per core (the suite runs in under half the time on
# 2 cores), at most 4 so that a big machine does not load TensorFlow 32 times.
TEST_WORKERS ?= auto

.PHONY: run test venv bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/netbuilder $(EXAMPLE)

test: $(STAMP)
	$(VENV)/bin/lint-imports --no-cache
	QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=3 $(PY) -m pytest -q \
		-n $(TEST_WORKERS) --maxprocesses=4 --dist worksteal

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
