# SPDX-License-Identifier: GPL-2.0-or-later
"""metrics -o FILE: the file (tests/cli/metrics.sh checks it), and what
was written said in each format."""
import written

PLATFORMS = False  # metrics takes no --platform: the ACS fabric of the kernel policy


def runs(path):
    return [["metrics", "-o", written.target("metrics", path)]]


def facts(fmt, out, args):
    return written.facts("metrics", fmt, out)
