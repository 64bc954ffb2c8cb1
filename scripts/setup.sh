#!/usr/bin/env bash
# Set up llmviz on a Debian/Ubuntu machine and render the demo scene into media/.
# Idempotent: re-running skips what is already there. Options:
#   --no-render   set up only (the test command uses this)
# Environment:
#   PYTHON=python3.12        interpreter for the virtual environment (>= 3.11)
#   LLMVIZ_TORCH_INDEX=URL   pip index for torch (e.g. a CUDA build: https://download.pytorch.org/whl/cu124)
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '==> %s\n' "$*"; }
RENDER=1
for arg in "$@"; do
  case "$arg" in
    --no-render) RENDER=0 ;;
    *) echo "setup.sh: unknown option '$arg' (allowed: --no-render)" >&2; exit 2 ;;
  esac
done

# 1. System packages: Cairo and Pango headers for pycairo/manimpango, a LaTeX subset for MathTex,
#    Computer Modern (CMU) for prose and DejaVu for tokens, espeak-ng, flite and Festival with its
#    HTS voice (the offline voices), Chromium (the slide-deck test opens the HTML deck in it), and
#    LibreOffice Impress with poppler's pdftoppm (a test converts the PowerPoint deck as Impress
#    shows it and compares each page with its slide's picture).
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
PKGS=(python3 python3-venv python3-dev build-essential pkg-config libcairo2-dev libpango1.0-dev
      texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm cm-super
      fonts-dejavu-core fonts-cmu espeak-ng flite festival festvox-us-slt-hts chromium
      libreoffice-impress poppler-utils)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "system packages: all present"
fi

# 2. Virtual environment.
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup.sh: $PYTHON is $("$PYTHON" -V 2>&1); llmviz needs Python >= 3.11 (set PYTHON=...)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  say "creating virtual environment .venv with $("$PYTHON" -V)"
  "$PYTHON" -m venv .venv
else
  say "virtual environment .venv: present"
fi
PIP=(.venv/bin/python -m pip -q --disable-pip-version-check)
WHEELS="$(mktemp -d)"
trap 'rm -rf "$WHEELS"' EXIT

# 3. torch: a CPU build unless a GPU is present (never pull CUDA wheels onto a CPU-only machine).
if .venv/bin/python -c 'import torch' 2>/dev/null; then
  say "torch: $(.venv/bin/python -c 'import torch; print(torch.__version__)') present"
elif [ -n "${LLMVIZ_TORCH_INDEX:-}" ]; then
  say "installing torch from $LLMVIZ_TORCH_INDEX"
  "${PIP[@]}" install torch --index-url "$LLMVIZ_TORCH_INDEX"
elif "${PIP[@]}" download --no-index --no-deps torch -d "$WHEELS" >/dev/null 2>&1; then
  say "installing torch from a local wheel ($(basename "$WHEELS"/torch-*.whl)); its dependencies from PyPI"
  "${PIP[@]}" install "$WHEELS"/torch-*.whl
elif command -v nvidia-smi >/dev/null 2>&1; then
  say "NVIDIA GPU found: installing torch with CUDA from PyPI"
  "${PIP[@]}" install torch
else
  say "no GPU: installing the CPU build of torch"
  "${PIP[@]}" install torch --index-url https://download.pytorch.org/whl/cpu
fi

# 4. llmviz itself, editable, with the test tools, manim-slides (the slides extra) and Ray (the
#    cluster extra: a test runs a chapter's parts on a local Ray).
say "installing llmviz (editable) with its dev, slides, docs and cluster extras"
"${PIP[@]}" install -e ".[dev,slides,docs,cluster]"
# pyloudnorm (from the voice extra; numpy and scipy only): the loudness tests measure with it
"${PIP[@]}" install "pyloudnorm>=0.1"

# 5. reveal.js for offline HTML slide decks, put into manim-slides' cache from the npm registry
#    (skipped when it is there already).
if ! command -v npm >/dev/null 2>&1; then
  say "installing npm (the offline HTML deck takes reveal.js from the npm registry)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
say "reveal.js for offline slide decks: $(.venv/bin/python -c \
  'from llmviz.workflow import revealjs_assets; print(revealjs_assets())')"

if [ "$RENDER" = 1 ]; then
  say "rendering the demo scene (scenes/demo.py NextTokenDemo) into media/"
  .venv/bin/manim render -ql --progress_bar none scenes/demo.py NextTokenDemo
  say "done: the video is under media/videos/demo/480p15/"
fi
