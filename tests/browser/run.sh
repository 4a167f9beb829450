#!/bin/sh
# Runs the dashboard's end-to-end tests in Debian's Chromium against a real
# campaignd. Installs what is missing first: the npm packages (npm ci) and
# the chromium package. Exits non-zero when a test fails.
# usage: tests/browser/run.sh  (env CAMPAIGND_BIN: the binary to test;
#        without it, make brings build/rel/campaignd up to date)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -d node_modules ]; then
	npm ci --no-audit --no-fund
fi
if [ ! -x /usr/bin/chromium ]; then
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
if [ -z "${CAMPAIGND_BIN:-}" ]; then
	# The dashboard is embedded in the binary: rebuild it if web/ changed.
	make -s -C "$root"
	CAMPAIGND_BIN=$root/build/rel/campaignd
fi
export CAMPAIGND_BIN
exec node --test --test-concurrency=1 --test-reporter=spec ./*.test.js
