#!/usr/bin/env bash
# Build the one-folder bundle on Linux: dist/township-desk/ with township-desk (the window) and township-desk-cli
# (the console program; on Linux both have a console). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
start=$(date +%s)
# PyInstaller is the "build" extra of pyproject.toml.
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
    "$PY" -m pip install --quiet "pyinstaller>=6.3"
fi
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller installer/township_desk.spec
echo "built dist/township-desk in $(( $(date +%s) - start )) s ($(du -sh dist/township-desk | cut -f1))"
