# SPDX-License-Identifier: GPL-2.0-or-later
"""What the format modules share: reading -m records and JSON warnings."""


def records(out, path):
    """The -m lines of record PATH, as dicts (values still quoted)."""
    recs = []
    for line in out.splitlines():
        head, _, rest = line.partition(" ")
        if head != path:
            continue
        rec, key, i = {}, None, 0
        while i < len(rest):
            eq = rest.index("=", i)
            key = rest[i:eq]
            j = eq + 1
            if j < len(rest) and rest[j] == '"':
                j += 1
                while rest[j] != '"':
                    j += 2 if rest[j] == "\\" else 1
                j += 1
            else:
                while j < len(rest) and rest[j] != " ":
                    j += 1
            rec[key] = rest[eq + 1:j]
            i = j + 1
        recs.append(rec)
    return recs


def top(out, cmd):
    """The -m line of the command's own top-level facts."""
    recs = records(out, cmd)
    return recs[0] if recs else {}


def count(out, path):
    return len(records(out, path))
