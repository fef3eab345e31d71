# SPDX-License-Identifier: GPL-2.0-or-later
"""nfd -o FILE: the feature file (tests/cli/nfd.sh checks it), and what
was written said in each format."""
import written

PLATFORMS = False  # nfd takes no --platform: the ACS fabric of the kernel policy


def runs(path):
    return [["nfd", "-o", written.target("nfd", path)]]


def facts(fmt, out, args):
    return written.facts("nfd", fmt, out)
