#!/bin/sh
# Installs the Debian packages campaignd needs to build, run and test, and
# only those that are missing. Uses sudo when not run as root.
set -eu

# Build and run: the daemon's libraries and the tools that find them.
PKGS="build-essential pkg-config libhttp-parser-dev libjansson-dev
libsqlite3-dev libssl-dev libicu-dev"

# Tests: unit tests, black-box tests and the browser.
if [ "${1:-}" = "test" ]; then
	PKGS="$PKGS libcmocka-dev python3 python3-pytest sqlite3 valgrind
	cppcheck clang-format strace clang"
fi

# Benchmarks: the load generator and the reference server.
if [ "${1:-}" = "bench" ]; then
	PKGS="$PKGS wrk nginx-light python3"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "deps: installing$missing" >&2
$SUDO apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing >/dev/null
