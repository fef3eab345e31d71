# SPDX-License-Identifier: GPL-2.0-or-later
"""snapshot FILE: the file, and what was written said in each format."""
import written


def runs(path):
    return [["snapshot", written.target("snapshot", path)]]


def facts(fmt, out, args):
    return written.facts("snapshot", fmt, out)
