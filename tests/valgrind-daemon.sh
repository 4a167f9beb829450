#!/bin/sh
# Runs the daemon under valgrind (memcheck) for the black-box tests: use as
# CAMPAIGND_BIN with CAMPAIGND_REAL_BIN naming the binary to check. Errors
# make the daemon exit 99 at shutdown, which the tests' teardown reports.
exec valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --track-fds=no \
	"${CAMPAIGND_REAL_BIN:?set CAMPAIGND_REAL_BIN}" "$@"
