#!/usr/bin/env bash
# Install ghostpen as the README says (`pip install .`, not editable) on the newest Pythons and
# smoke-run it; the full suite runs on 3.11 in .ci/run.
#   3.13 (no MXNet there): the editor offscreen types and shows a ghost without importing
#        MXNet (`ghostpen eval startup`), `ghostpen avatars`, `ghostpen sample`; `ghostpen train`
#        says in one line why it cannot train.
#   3.12 (MXNet 1.9.1 on numpy 1.26 through ghostpen.mxcompat): a 20-second fine-tune started
#        with the training dialog's own command, run from the checkout's root; then
#        `ghostpen sample` from the new model.
# A Python that is not installed is reported and skipped. Takes ~3-5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1 QT_QPA_PLATFORM=offscreen GHOSTPEN_MODELS_DIR="$work/models"
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state"

find_python() {  # python3.X on PATH when it runs, else pyenv's
    local v=$1 p
    if command -v "python$v" >/dev/null 2>&1 && "python$v" -c '' >/dev/null 2>&1; then
        command -v "python$v"
        return 0
    fi
    for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/python"$v"; do
        if [ -x "$p" ]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

install() {  # VERSION PYTHON: a venv in $work/vVERSION with `pip install .`
    "$2" -m venv "$work/v$1"
    "$work/v$1/bin/pip" install -q . 2>&1 | grep -v "^WARNING: Location" || true
    "$work/v$1/bin/ghostpen" --version
}

smoke_313() {
    local bin=$work/v3.13/bin
    (cd "$work" && "$bin/ghostpen" eval startup --runs 1 --idle 0.5 --json) > "$work/startup.json"
    "$bin/python" - "$work/startup.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print("3.13 editor:", {k: r[k] for k in ("window_s", "first_ghost_s", "idle_rss_mb", "mxnet_imported")})
assert r["first_ghost_s"] is not None and not r["errors"], r
assert r["mxnet_imported"] is False, "the editor imported MXNet"
EOF
    "$bin/ghostpen" avatars --n 4 --out "$work/avatars.png"
    test -s "$work/avatars.png"
    "$bin/ghostpen" sample --length 60 --prime "The "
    if "$bin/ghostpen" train --corpus README.md --out "$work/no" 2> "$work/train.err"; then
        echo "3.13: ghostpen train should have refused (no MXNet)"
        return 1
    fi
    grep -q "Python 3.10-3.12" "$work/train.err"
    echo "3.13 train: $(cat "$work/train.err")"
}

smoke_312() {
    local bin=$work/v3.12/bin
    # the dialog's command (train_state.command), built away from the checkout, run from its root
    (cd "$work" && "$bin/python" - "$root" "$work/mine" > "$work/argv.json") <<'EOF'
import json, sys
from ghostpen.editor.train_state import command
from ghostpen.model.checkpoint import default_model_path
root, out = sys.argv[1], sys.argv[2]
docs = [f"{root}/README.md", f"{root}/CONTRIBUTING.md"]
print(json.dumps(command(docs, out, minutes=0.33, base=str(default_model_path()))))
EOF
    "$bin/python" - "$work/argv.json" <<'EOF'
import json, os, subprocess, sys
argv = json.load(open(sys.argv[1]))
done = subprocess.run(argv, env=dict(os.environ, PYTHONUNBUFFERED="1"), capture_output=True, text=True)
lines = [ln for ln in done.stdout.splitlines() if '"event": "done"' in ln]
print("3.12 fine-tune:", lines[-1] if lines else done.stderr[-500:])
assert done.returncode == 0 and lines, done.stderr[-2000:]
EOF
    "$bin/ghostpen" sample --model "$work/mine" --length 60 --prime "The "
}

for v in 3.13 3.12; do
    if ! py=$(find_python "$v"); then
        echo "smoke-pythons: python$v is not installed here; skipped"
        continue
    fi
    echo "smoke-pythons: $v ($py)"
    install "$v" "$py"
    "smoke_${v/./}"
    rm -rf "$work/v$v"
done
echo "smoke-pythons: ok"
