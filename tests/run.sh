#!/usr/bin/env bash
# The whole test suite: unit, integration, serve and browser tests (cargo test).
# Installs what the tests need when missing: the Frictionless validator (PyPI, in target/pyenv);
# for the browser tests Chromium and CJK fonts (apt), Java for the
# Nu HTML Checker (apt), poppler-utils for reading PDFs back (apt), and the Node packages in tests/browser (npm ci). Without root or sudo it
# stops and says what to install instead of skipping anything.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium fonts-noto-cjk)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
# poppler's pdftotext and pdfinfo read back the PDFs of `yanbao pdf` (tests/print.rs).
command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 || missing+=(poppler-utils)
# Python with venv and pip, for the Frictionless validator below.
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3 python3-venv python3-pip)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"
  elif command -v sudo >/dev/null 2>&1; then apt_get="sudo apt-get"
  else
    echo "The browser tests need: ${missing[*]}. Install them with: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing ${missing[*]} (needed by the browser tests)…"
  DEBIAN_FRONTEND=noninteractive $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/vnu-jar ] || [ ! -d tests/browser/node_modules/lighthouse ]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi
# From PyPI into a venv: the Frictionless validator for datapackage.json (tests/downloads.rs),
# and the BibTeX and RIS readers the citation files are parsed back with (tests/cite.rs). A venv
# copied from another folder (its scripts point at the old one) is made anew.
if ! target/pyenv/bin/python -c "import bibtexparser, rispy, pylatexenc" >/dev/null 2>&1 \
  || [ ! -x target/pyenv/bin/frictionless ] || ! target/pyenv/bin/frictionless --version >/dev/null 2>&1; then
  rm -rf target/pyenv
  python3 -m venv target/pyenv
  target/pyenv/bin/pip install --quiet frictionless bibtexparser rispy
fi
# The citations builds keep between runs go to a folder of the checkout, not the user's cache
# (tests/cite.rs gives its builds folders of their own to see what is kept).
export YANBAO_CACHE_DIR="${YANBAO_CACHE_DIR-$PWD/target/test-cache}"
cargo test --all-targets "$@"
