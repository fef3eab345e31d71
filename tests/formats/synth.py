# SPDX-License-Identifier: GPL-2.0-or-later
"""synth -o FILE: a fabric of its own, read from no source."""
import written

NO_SOURCE = True


def runs(path):
    return [["synth", "--functions", str(n), "--seed", "7", "--format", fmt, "-o", written.target("synth", fmt + str(n))]
            for n in (1, 50, 400) for fmt in ("topo", "dump")]


def facts(fmt, out, args):
    return written.facts("synth", fmt, out)
