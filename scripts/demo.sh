#!/usr/bin/env bash
# `make demo`: run the example playbook twice against the bundled simulator.
#
# 1. starts the Keyfactor Command simulator in the background on 127.0.0.1
#    (a free port, fresh state, time running 10x faster);
# 2. points the collection's connection settings at it through the
#    environment (KEYFACTOR_HOSTNAME, KEYFACTOR_USERNAME, KEYFACTOR_PASSWORD,
#    KEYFACTOR_DOMAIN);
# 3. runs docs/examples/remove_from_stores.yml twice: the first run removes
#    the certificate (changed), the second finds nothing to do (ok, no change);
# 4. stops the simulator, whatever happened.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
bin=$repo/.venv/bin
playbook=${DEMO_PLAYBOOK:-docs/examples/remove_from_stores.yml}

# The collection, as ansible finds it: build/collections/ansible_collections/
# keyfactor/command is a symlink to the repository root.
collections=$repo/build/collections
mkdir -p "$collections/ansible_collections/keyfactor"
ln -sfn "$repo" "$collections/ansible_collections/keyfactor/command"
export ANSIBLE_COLLECTIONS_PATH=$collections
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-false}
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export PATH="$bin:$PATH"

work=$(mktemp -d "${TMPDIR:-/tmp}/kfdemo.XXXXXX")
ready=$work/ready
sim_pid=
stop_simulator() {
    local status=$1
    if [[ -n $sim_pid ]] && kill -0 "$sim_pid" 2>/dev/null; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    if (( status != 0 )) && [[ -s $work/simulator.log ]]; then
        echo "-- last lines of the simulator log:" >&2
        tail -n 30 "$work/simulator.log" >&2
    fi
    rm -rf "$work"
}
trap 'stop_simulator $?' EXIT
trap 'exit 130' INT TERM

echo ">> starting the simulator (log: $work/simulator.log)"
PYTHONPATH=$repo/simulator "$bin/python" -m kfsim serve --host 127.0.0.1 --port 0 \
    --ready-file "$ready" --state-file "$work/state.json" --time-scale 0.1 --fresh \
    >"$work/simulator.log" 2>&1 &
sim_pid=$!

for _ in $(seq 300); do  # up to 30 s
    [[ -s $ready ]] && break
    if ! kill -0 "$sim_pid" 2>/dev/null; then
        echo "ERROR: the simulator exited before it was ready" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ ! -s $ready ]]; then
    echo "ERROR: the simulator did not become ready within 30 s" >&2
    exit 1
fi
# KEYFACTOR_HOSTNAME, _API_PATH, _USERNAME, _PASSWORD, _DOMAIN for the
# simulator's demo account; they replace any such settings of the caller.
unset KEYFACTOR_SKIP_VERIFY KEYFACTOR_CA_CERT
settings=$("$bin/python" scripts/sim_env.py "$ready")
eval "$settings"
echo ">> simulator ready at $KEYFACTOR_HOSTNAME (user $KEYFACTOR_DOMAIN\\$KEYFACTOR_USERNAME)"

# Runs the playbook; prints its output and leaves "changed failed" of the
# PLAY RECAP line for localhost in $recap.
run_playbook() {
    local log=$work/run$1.log
    echo ">> ansible-playbook $playbook (run $1)"
    ansible-playbook "$playbook" | tee "$log"
    recap=$(sed -n 's/^localhost *: .*changed=\([0-9]*\) .*failed=\([0-9]*\) .*/\1 \2/p' "$log")
    if [[ -z $recap ]]; then
        echo "ERROR: no PLAY RECAP for localhost in run $1" >&2
        exit 1
    fi
}

run_playbook 1
read -r changed failed <<<"$recap"
if (( failed != 0 || changed == 0 )); then
    echo "ERROR: run 1 should change something and fail nothing (changed=$changed failed=$failed)" >&2
    exit 1
fi

run_playbook 2
read -r changed failed <<<"$recap"
if (( failed != 0 || changed != 0 )); then
    echo "ERROR: run 2 should be ok with no change (changed=$changed failed=$failed)" >&2
    exit 1
fi

echo ">> demo passed: run 1 changed the stores, run 2 was ok with no change"
