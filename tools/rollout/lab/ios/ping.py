"""``ping ADDR [source IF|ADDR] [repeat N] [timeout S] [size N]`` on the lab's network.

Output lines as IOS prints them (Cisco IOS Configuration Fundamentals Command Reference,
"ping"; the ntc-templates ``cisco_ios_ping.textfsm`` parser): ``Type escape sequence to
abort.``, ``Sending N, S-byte ICMP Echos to A, timeout is T seconds:``, ``Packet sent with a
source address of A``, one ``!`` (reply) or ``.`` (timeout) per echo, 70 to a line, then
``Success rate is P percent (R/N), round-trip min/avg/max = a/b/c ms`` (no round trip when
nothing came back). The answer of each echo comes from the lab's conditions and impairment
(rollout.lab.ios.network.NetworkModel.reach); timeouts are not waited for in real time.
Unconfirmed: the wording of the error for a source address the device does not own
(``% Invalid source address- IP address not on any of our up interfaces``).
"""

from __future__ import annotations

import ipaddress

from rollout.lab.ios.names import canonical_interface
from rollout.lab.ios.outcome import INCOMPLETE, INVALID
from rollout.lab.ios.paths import interface_addresses
from rollout.lab.ios.terminal import CommandError, Terminal
from rollout.lab.shell import Reply

BAD_SOURCE = "% Invalid source address- IP address not on any of our up interfaces"
_LIMITS = {"repeat": (1, 2147483647), "timeout": (0, 3600), "size": (36, 18024)}


def cmd_ping(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    if len(words) < 2:
        raise CommandError(INCOMPLETE)
    i = 2 if words[1] == "ip" else 1
    if i >= len(words):
        raise CommandError(INCOMPLETE)
    target = words[i]
    try:
        ipaddress.IPv4Address(target)
    except ValueError:
        return Reply("% Unrecognized host or address, or protocol not running.\n")
    opts = {"repeat": 5, "timeout": 2, "size": 100}
    source: str | None = None
    i += 1
    while i < len(words):
        key = next((k for k in (*_LIMITS, "source") if k.startswith(words[i].lower())), None)
        if key is None or len(words[i]) < 2:
            raise CommandError(INVALID, toks[i][0])
        if i + 1 >= len(words):
            raise CommandError(INCOMPLETE)
        value = words[i + 1]
        if key == "source":
            source = value
        else:
            lo, hi = _LIMITS[key]
            if not value.isdigit() or not lo <= int(value) <= hi:
                raise CommandError(INVALID, toks[i + 1][0])
            opts[key] = int(value)
        i += 2
    dev = term.device
    tree = dev.tree
    src_address: str | None = None
    if source is not None:
        addrs = interface_addresses(tree)
        name = canonical_interface(source)
        if name is not None and name in addrs:
            src_address = str(addrs[name].ip)
        elif any(str(a.ip) == source for a in addrs.values()):
            src_address = source
        else:
            return Reply(BAD_SOURCE + "\n")
    return Reply(
        ping_text(term, target, src_address, opts["repeat"], opts["timeout"], opts["size"])
    )


def ping_text(
    term: Terminal, target: str, source: str | None, repeat: int, timeout: int, size: int
) -> str:
    dev = term.device
    reach = dev.network.reach(dev.tree, target)
    lines = [
        "Type escape sequence to abort.",
        f"Sending {repeat}, {size}-byte ICMP Echos to {target}, timeout is {timeout} seconds:",
    ]
    if source is not None:
        lines.append(f"Packet sent with a source address of {source} ")
    marks = []
    for _ in range(repeat):
        lost = not reach.reachable or dev.network.lose(reach.loss_percent)
        marks.append("." if lost else "!")
    text = "".join(marks)
    lines += [text[j : j + 70] for j in range(0, len(text), 70)]
    ok = marks.count("!")
    rate = f"Success rate is {ok * 100 // repeat} percent ({ok}/{repeat})"
    if ok:
        low = max(reach.rtt_ms - reach.jitter_ms, 1)
        high = reach.rtt_ms + 2 * reach.jitter_ms
        rate += f", round-trip min/avg/max = {low}/{max(reach.rtt_ms, low)}/{high} ms"
    lines.append(rate)
    return "\n".join(lines)
