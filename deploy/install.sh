#!/bin/sh
# Install Kompas into a virtual environment: the one place the install steps live.
# The Dockerfile runs it, a plain VM runs it, and tests/test_install.py runs it.
#
#   deploy/install.sh [--no-deps] PREFIX SOURCE
#
# PREFIX  the virtual environment to create or upgrade in place (e.g. /opt/kompas)
# SOURCE  a Kompas wheel (kompas-*.whl) or a source tree (its wheel is built first)
# --no-deps  install Kompas alone (its dependencies come from elsewhere; used by the test)
#
# Environment: PYTHON (default python3, 3.11 or newer, with pip), KOMPAS_PIP_OPTIONS (extra
# pip options, e.g. --no-build-isolation or --index-url …). Only runtime dependencies are
# installed: never the [dev] extra.
set -eu

deps=""
if [ "${1:-}" = "--no-deps" ]; then
    deps="--no-deps"
    shift
fi
if [ $# -ne 2 ]; then
    echo "usage: $0 [--no-deps] PREFIX SOURCE" >&2
    exit 2
fi
prefix=$1
source=$2
python=${PYTHON:-python3}
# shellcheck disable=SC2086  # KOMPAS_PIP_OPTIONS is a list of options
pip() { "$python" -m pip --disable-pip-version-check --no-input "$@" ${KOMPAS_PIP_OPTIONS:-}; }

"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "$0: Kompas needs Python 3.11 or newer ($python)" >&2
    exit 2
}

wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
if [ -d "$source" ]; then
    pip wheel --quiet --no-deps --wheel-dir "$wheels" "$source"
    set -- "$wheels"/kompas-*.whl
    wheel=$1
elif [ -f "$source" ]; then
    wheel=$source
else
    echo "$0: no wheel or source tree at $source" >&2
    exit 2
fi

# A venv without pip of its own: the installing interpreter's pip installs into it.
if [ ! -x "$prefix/bin/python" ]; then
    "$python" -m venv --without-pip "$prefix"
fi
# shellcheck disable=SC2086
pip --python "$prefix/bin/python" install --quiet --no-cache-dir $deps "$wheel"

if [ -z "$deps" ]; then
    "$prefix/bin/kompas" --help >/dev/null  # every dependency imports
fi
echo "Kompas installed in $prefix ($(basename "$wheel"))"
