#!/bin/sh
# Builds every fuzz target and runs each, one after another, for SECONDS
# (default 10). New corpus entries go to fuzz/work/<target>/, crashes to
# fuzz/crashes/<target>/. Exits non-zero when any target found a crash.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]; extra libFuzzer flags: $FUZZ_ARGS
set -eu
cd "$(dirname "$0")"

secs=${1:-10}
[ $# -gt 0 ] && shift
targets=${*:-"body csv conditions template e164 cursor window tz jsonout wire"}

if ! command -v clang >/dev/null 2>&1; then
	echo "run.sh: clang is missing: apt-get install -y clang" >&2
	exit 2
fi
make --no-print-directory -s all

status=0
for t in $targets; do
	mkdir -p "work/$t" "crashes/$t"
	dict=""
	[ -f "dict/$t.dict" ] && dict="-dict=dict/$t.dict"
	kept=""
	[ -d "regressions/$t" ] && kept="regressions/$t"
	log="build/$t.log"
	echo "== $t: ${secs}s"
	# Seeds and the regression inputs are read; only work/ is written.
	if ! "build/$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="crashes/$t/" $dict ${FUZZ_ARGS:-} \
	    "work/$t" "corpus/$t" $kept >"$log" 2>&1; then
		status=1
		echo "   CRASH: see $log and crashes/$t/" >&2
		grep -m 5 -E "ERROR|runtime error|fuzz:" "$log" >&2 || true
	fi
	grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" \
	    "$log" | sed 's/^/   /'
done
exit $status
