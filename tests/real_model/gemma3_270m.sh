#!/usr/bin/env bash
# The real-model tier's entry point for ctest: runs gemma3_270m.py (see its docstring) with Debian's
# python3, and skips (exit 77) when there is no python3 at all.
#   tests/real_model/gemma3_270m.sh MASSACT WORK_DIR [SHARED_DATA_DIR]
set -euo pipefail
if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: python3 is not installed (scripts/setup.sh installs python3-venv, which brings it)"
  exit 77
fi
exec python3 "$(dirname "$0")/gemma3_270m.py" "$@"
