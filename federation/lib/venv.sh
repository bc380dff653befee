# shellcheck shell=bash
# Source this file (from any directory) to get the federation Python tools:
#
#     source federation/lib/venv.sh && python federation/verify_signatures.py --self-test
#
# It creates federation/.venv when missing, installs the pinned federation/requirements.txt
# into it, and puts the venv's bin/ first on PATH. The installed requirements are recorded by
# their SHA-256 in .venv/.requirements.sha256: when requirements.txt changes, or the venv's
# interpreter no longer runs, the venv is rebuilt from scratch. Otherwise sourcing is a cheap
# no-op. Needs python3 with the venv module, and PyPI for the first install.
# Returns non-zero (it never exits the calling shell) when the venv cannot be set up.

_kith_federation_venv() {
    local fed_dir venv req stamp want lock_file lock_fd rc
    fed_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
    venv="$fed_dir/.venv"
    req="$fed_dir/requirements.txt"
    stamp="$venv/.requirements.sha256"

    if [ ! -f "$req" ]; then
        echo "venv.sh: $req is missing" >&2
        return 1
    fi
    want="$(sha256sum "$req" | cut -d' ' -f1)" || return 1

    _kith_venv_ready() {
        [ -x "$venv/bin/python" ] &&
            [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] &&
            "$venv/bin/python" -c 'import sys' >/dev/null 2>&1
    }

    if ! _kith_venv_ready; then
        # Serialise concurrent setups of the same venv (lock lives outside the work tree).
        lock_fd=""
        if command -v flock >/dev/null 2>&1; then
            lock_file="${TMPDIR:-/tmp}/kith-federation-venv-$(printf '%s' "$venv" | sha256sum | cut -c1-16).lock"
            exec {lock_fd}>"$lock_file" && flock "$lock_fd"
        fi
        rc=0
        if ! _kith_venv_ready; then
            if [ -e "$venv" ]; then
                echo "venv.sh: rebuilding $venv (requirements changed or interpreter broken)" >&2
                rm -rf "$venv"
            else
                echo "venv.sh: creating $venv" >&2
            fi
            if python3 -m venv "$venv" &&
                "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
                    --requirement "$req"; then
                printf '%s\n' "$want" >"$stamp"
            else
                echo "venv.sh: installing $req into $venv failed" >&2
                rc=1
            fi
        fi
        if [ -n "$lock_fd" ]; then
            exec {lock_fd}>&-
        fi
        [ "$rc" -eq 0 ] || return 1
    fi
    unset -f _kith_venv_ready

    export VIRTUAL_ENV="$venv"
    case ":$PATH:" in
        *":$venv/bin:"*) ;;
        *) export PATH="$venv/bin:$PATH" ;;
    esac
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    return 0
}

_kith_federation_venv
_kith_venv_rc=$?
unset -f _kith_federation_venv _kith_venv_ready 2>/dev/null
if [ "$_kith_venv_rc" -ne 0 ]; then
    unset _kith_venv_rc
    return 1 2>/dev/null || exit 1
fi
unset _kith_venv_rc
