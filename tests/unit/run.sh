#!/bin/sh
# Runs each unit test binary given, optionally under valgrind, and prints a
# closing "N passed, N failed" line counting the binaries.
vg=""
if [ "${1:-}" = "--valgrind" ]; then
	vg="valgrind -q --error-exitcode=99 --leak-check=full"
	vg="$vg --errors-for-leak-kinds=definite"
	shift
fi
pass=0
fail=0
for t in "$@"; do
	if $vg "$t"; then
		pass=$((pass + 1))
	else
		echo "unit: FAILED $t" >&2
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
