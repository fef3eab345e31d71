# SPDX-License-Identifier: GPL-2.0-or-later
"""report FILE: the file, and what was written said in each format."""
import written


def runs(path):
    return [["report", written.target("report", path)]]


def facts(fmt, out, args):
    return written.facts("report", fmt, out)
