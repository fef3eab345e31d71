# SPDX-License-Identifier: GPL-2.0-or-later
"""What the format modules share: reading -m records."""
import re


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
            # a value runs to the next space outside quotes: a list of
            # quoted values ("a b","c d") is one value
            while j < len(rest) and rest[j] != " ":
                if rest[j] == '"':
                    j += 1
                    while rest[j] != '"':
                        j += 2 if rest[j] == "\\" else 1
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


def unquote(v):
    """One -m value as it was: quotes and escapes undone."""
    if v.startswith('"'):
        return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v[1:-1])
    return v


def values(v):
    """A -m list value (k=a,"b c") as its items, unquoted; k= gives []."""
    out, i = [], 0
    while i < len(v):
        j = i
        if v[i] == '"':
            j += 1
            while v[j] != '"':
                j += 2 if v[j] == "\\" else 1
            j += 1
        else:
            while j < len(v) and v[j] != ",":
                j += 1
        out.append(unquote(v[i:j]))
        i = j + 1
    return out
