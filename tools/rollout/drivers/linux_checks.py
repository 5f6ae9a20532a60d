"""Where a linux_router's kernel or FRR no longer run its files: pure comparisons of what the
files say with what ``nft``, ``tc`` and ``vtysh`` show (the session reads, these compare)."""

from __future__ import annotations

import re


def acl_problems(wanted: str, ruleset: str) -> list[str]:
    problems: list[str] = []
    for chain in re.findall(r"^\tchain (\S+) \{", wanted, re.M):
        want_rules = _chain_rules(wanted, chain)
        have_rules = _chain_rules(ruleset, chain)
        if not have_rules and want_rules:
            problems.append(f"ACL: nftables chain {chain} is missing")
        elif len(have_rules) != len(want_rules):
            problems += _added_or_removed(chain, want_rules, have_rules) or [
                f"ACL: nftables chain {chain} has {len(have_rules)} rules, "
                f"the plan has {len(want_rules)}"
            ]
        else:
            for want_rule, have_rule in zip(want_rules, have_rules, strict=True):
                if verdict(want_rule) != verdict(have_rule):
                    problems.append(
                        f"ACL: in chain {chain}, '{have_rule}' differs from the plan's "
                        f"'{want_rule}'"
                    )
                    break
    return problems


def _added_or_removed(chain: str, want_rules: list[str], have_rules: list[str]) -> list[str]:
    """The rules added to or removed from a chain by hand, named; [] when it is not only that.

    nft lists a rule in its own words (no `meta l4proto` before a port match, its own order
    of TCP flags): both sides are compared in a common form, and rules are named only when the
    unmatched ones account exactly for the difference in count.
    """
    want_keys = [rule_key(r) for r in want_rules]
    have_keys = [rule_key(r) for r in have_rules]
    missing = [r for r, k in zip(want_rules, want_keys, strict=True) if k not in have_keys]
    extra = [r for r, k in zip(have_rules, have_keys, strict=True) if k not in want_keys]
    if len(missing) + len(extra) != abs(len(want_rules) - len(have_rules)):
        return []
    return [f"ACL: chain {chain} lacks the plan's rule '{_shown(r)}'" for r in missing] + [
        f"ACL: chain {chain} has a rule the plan does not: '{_shown(r)}'" for r in extra
    ]


def rule_key(rule: str) -> str:
    """A rule as written in nftables.conf or as `nft list ruleset` shows it, in one form."""
    text = _shown(rule)
    text = re.sub(r"\bmeta l4proto (tcp|udp) (?=.*\b\1 [sd]port\b)", "", text)
    # nft 1.0.6 (measured here) lists a limit's burst only when it is not the default of 5
    # packets ("limit rate 10/minute"); since "[PATCH nft,v2] limit: display default burst when
    # listing ruleset" (netfilter-devel, 2023-09-19, src/statement.c) nft always lists it
    text = re.sub(r"\b(limit rate \S+) burst 5 packets\b", r"\1", text)
    text = re.sub(
        r"\btcp flags & \(([^)]*)\) != 0",
        lambda m: "tcp flags " + ",".join(sorted(f.strip() for f in m.group(1).split("|"))),
        text,
    )
    text = re.sub(
        r"\btcp flags ([a-z]+(?:,[a-z]+)+)\b",
        lambda m: "tcp flags " + ",".join(sorted(m.group(1).split(","))),
        text,
    )
    return " ".join(text.split())


def _shown(rule: str) -> str:
    """A rule without its handle and its counter's values."""
    text = re.sub(r"\s*# handle \d+$", "", rule)
    return re.sub(r"\bcounter packets \d+ bytes \d+", "counter", text).strip()


def frr_route_problems(wanted: str, running: str) -> list[str]:
    """Static routes FRR runs against those of frr.conf (a route added or removed in vtysh)."""
    if "ip route" not in wanted and "ip route" not in running:
        return []
    pattern = re.compile(r"^ip route \S+ \S+.*$", re.M)
    want = {m.group(0).strip() for m in pattern.finditer(wanted)}
    have = {m.group(0).strip() for m in pattern.finditer(running)}
    if not running.strip():
        return ["routing: FRR does not answer (vtysh show running-config is empty)"]
    return [f"routing: FRR runs '{r}', frr.conf does not have it" for r in sorted(have - want)] + [
        f"routing: FRR lacks '{r}' of frr.conf" for r in sorted(want - have)
    ]


def _chain_rules(text: str, chain: str) -> list[str]:
    m = re.search(rf"chain {re.escape(chain)} \{{\n(.*?)\n\t\}}", text, re.S)
    if not m:
        return []
    rules = []
    for raw in m.group(1).splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("type "):
            continue
        rules.append(line)
    return rules


def verdict(rule: str) -> str:
    """What a rule does: its verdict, else `set` or `log` (a log prefix's words are not one)."""
    text = re.sub(r'"[^"]*"', '""', rule)
    for word in ("accept", "drop", "jump", "goto", "reject"):
        if re.search(rf"\b{word}\b", text):
            return word
    if " set " in text:
        return "set"
    return "log" if re.search(r"\blog\b", text) else "?"


def kbit(value: str) -> int:
    m = re.match(r"([\d.]+)([KMG]?)bit", value, re.I)
    if not m:
        return -1
    scale = {"": 0.001, "k": 1, "m": 1000, "g": 1_000_000}[m.group(2).lower()]
    return round(float(m.group(1)) * scale)


def wan_interface(frr: str) -> str:
    m = re.search(r"^interface (\S+)\n description WAN", frr, re.M)
    return m.group(1) if m else ""
