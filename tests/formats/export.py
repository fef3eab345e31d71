# SPDX-License-Identifier: GPL-2.0-or-later
"""export FILE: the file, and what was written said in each format."""
import written


def runs(path):
    return [["export", written.target("export", path)]]


def facts(fmt, out, args):
    return written.facts("export", fmt, out)
