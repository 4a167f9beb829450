"""Robustness suite: crash loops, fsync ordering, hostile clients.

The black-box harness (tests/blackbox/conftest.py) is reused through
harness.py; this file only wires its binary copy into pytest and prints
the figures the tests report at the end of the run.
"""
import sys
from pathlib import Path

import harness as h

_BLACKBOX_CONFTEST = (h.ROOT / "tests" / "blackbox" / "conftest.py").resolve()


def _give_conftest_back(config):
    """The black-box test modules do `from conftest import ...`. When both
    suites run in one session, pytest may have imported this file last
    under that same name; point the name back at theirs."""
    mine = sys.modules.get("conftest")
    if mine is None or Path(getattr(mine, "__file__", "")).resolve() != \
            Path(__file__).resolve():
        return
    for plugin in config.pluginmanager.get_plugins():
        f = getattr(plugin, "__file__", None)
        if f and Path(f).resolve() == _BLACKBOX_CONFTEST:
            sys.modules["conftest"] = plugin
            return


def pytest_configure(config):
    h.bb.pytest_configure(config)
    _give_conftest_back(config)


def pytest_unconfigure(config):
    h.bb.pytest_unconfigure(config)


def pytest_report_header(config):
    return "campaignd binary: %s%s" % (
        h.bb.BIN, " (sanitizer build)" if h.is_sanitizer_build() else "")


def pytest_terminal_summary(terminalreporter):
    if h.FIGURES:
        terminalreporter.section("robustness figures")
        for line in h.FIGURES:
            terminalreporter.write_line(line)
