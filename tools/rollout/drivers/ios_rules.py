"""Cisco IOS semantics the driver needs, as data: noise lines and how to undo sections."""

from __future__ import annotations

import re

from rollout.drivers.ios_canon import PHYSICAL_KINDS
from rollout.drivers.ios_sections import (
    BANNER,
    BARE_VALUES,
    SINGLE_VALUE_CHILDREN,
    SINGLE_VALUE_TOP,
    words_key,
)

# Lines that describe the device or the moment, not the intent: never compared, never negated.
# (pattern, why) as data; drift reports and `rollout diff` use the same table.
NOISE_RULES: tuple[tuple[str, str], ...] = (
    (r"Building configuration", "banner of show running-config"),
    (r"Current configuration", "size line of show running-config (changes with any edit)"),
    (r"Last configuration change", "time stamp of the last change"),
    (r"NVRAM config last updated", "time stamp of the last save"),
    (r"version \d", "software version (not intent)"),
    (r"boot-start-marker|boot-end-marker", "boot markers"),
    (r"end$", "end of the configuration"),
    (r"!", "comment"),
    (r"\s*!", "comment inside a section"),
    (r"ntp clock-period", "clock drift correction the device writes by itself"),
    (r"Time source is|\*?\d{2}:\d{2}:\d{2}\.\d+ \S+ \w{3} \w{3} +\d+ \d{4}", "clock output"),
)
NOISE = re.compile("^(?:" + "|".join(pattern for pattern, _why in NOISE_RULES) + ")")
# Identity lines: the unit's own identity, shown by the device, never written by an intent
# (like `version`). Never compared, never sent, in either direction; a top-level one goes
# with its whole section. (pattern, why, source) as data.
_SELF_SIGNED = r"TP-self-signed-\d+"
IDENTITY_RULES: tuple[tuple[str, str, str], ...] = (
    (
        r"license udi\b",
        "the unit's UDI (product id and serial number), set at the factory: display only",
        "Cisco Configuration Fundamentals, 'Unique Device Identifier Retrieval' (a UDI is "
        "PID, VID and SN, assigned in the factory and stored on the device): "
        "cisco.com/en/US/docs/ios-xml/ios/fundamentals/configuration/xe-3se/cat3850/cf-udi.html;"
        " every CSR1000v/ISR4321/2901 file of tests/data/ios-public shows another serial",
    ),
    (
        rf"crypto (?:pki|ca) trustpoint {_SELF_SIGNED}$",
        "the self-signed trustpoint the device generates for its HTTPS server, named after "
        "the unit (with its children: enrollment, subject-name, rsakeypair)",
        "Catalyst 3750-X/3560-X Software Configuration Guide OL-21521-01, 'Configuring the "
        "Switch for Secure Socket Layer HTTP': the self-signed certificate is generated "
        "automatically and shown as 'crypto pki trustpoint TP-self-signed-3080755072'; "
        "'trustpoints must be configured on each device individually. Copying them from other "
        "devices makes them invalid' (same text: Catalyst 2960-X 15.2(2)E and 3850 3E guides, "
        "cisco.com/c/en/us/td/docs/switches/lan/catalyst3850/software/release/3e/"
        "consolidated_guide/configuration_guide/b_consolidated_3850_3e_cg/"
        "b_consolidated_3850_3e_cg_chapter_0111110.html)",
    ),
    (
        rf"crypto (?:pki|ca) certificate chain {_SELF_SIGNED}$",
        "the certificate of that trustpoint (its blob is the unit's key)",
        "same guide: 'crypto ca certificate chain TP-self-signed-3080755072' in its sample",
    ),
    (
        rf"\s+rsakeypair {_SELF_SIGNED}$",
        "the unit's generated key pair, named after the unit",
        "same guide's sample: ' rsakeypair TP-self-signed-3080755072'",
    ),
    (
        rf"ip http secure-trustpoint {_SELF_SIGNED}$",
        "points the HTTPS server at the unit's own self-signed trustpoint",
        "unconfirmed: no public output with this line was captured; it names the same "
        "per-unit trustpoint as the rows above",
    ),
)
IDENTITY = re.compile("^(?:" + "|".join(pattern for pattern, _w, _s in IDENTITY_RULES) + ")")
# Certificate blobs: from 'certificate ...' to 'quit', inside 'crypto pki certificate chain'.
# A certificate stored in NVRAM is one line (' certificate self-signed 01 nvram:IOS-Self-Sig#1D.cer'
# on a Catalyst 9200, tests/data/ios-public/cat9200): its blob ends with the next line at its
# own indentation or less.
CERT_START = re.compile(r"^(\s+)certificate\s")
CERT_END = re.compile(r"^\s+quit$")
# Physical interfaces cannot be deleted: negating them means resetting them to defaults.
# Every hardware port type of the supported models (ios_canon.PORT_NAMES); a sub-interface
# (`Gi0/0/1.10`) or a channel (`Serial0/1/0:0`) is logical and may be deleted.
PHYSICAL = re.compile(rf"^no interface ((?:{'|'.join(PHYSICAL_KINDS)})\d[\d/]*)$")
# Write-only lines: IOS accepts them but never shows them in the running config.
WRITE_ONLY = re.compile(r"^snmp-server user ")
ERROR_PATTERN = r"% Invalid input|% Incomplete command|% Ambiguous command|% Unknown command"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def clean(text: str) -> str:
    """The configuration without noise, comments, identity lines, certificate blobs or
    write-only lines."""
    out: list[str] = []
    cert = -1  # indentation of the certificate line whose blob is being skipped
    identity = -1  # indentation of the identity line whose children are being skipped
    banner = ""  # delimiter of the banner whose text is being copied
    for line in text.splitlines():
        if banner:
            # A banner's text is kept as it is: blank lines, lines starting with '!' or
            # reading 'end' are text, not comments or noise.
            out.append(line.rstrip())
            banner = "" if banner in line else banner
            continue
        if not line.strip():
            continue
        if cert >= 0:
            if CERT_END.match(line):
                cert = -1
                continue
            if _indent(line) > cert:
                continue
            cert = -1
        if identity >= 0:
            if _indent(line) > identity:
                continue
            identity = -1
        if m := CERT_START.match(line):
            cert = len(m.group(1))
            continue
        if IDENTITY.match(line):
            identity = _indent(line)
            continue
        if NOISE.match(line) or WRITE_ONLY.match(line):
            continue
        if (m := BANNER.match(line)) and m.group(2):
            delim = "^C" if m.group(2).startswith("^C") else m.group(2)[:1]
            banner = "" if delim in m.group(2)[len(delim) :] else delim
        out.append(line.rstrip())
    return "\n".join(out) + "\n"


NUMBERED_ACL_NEGATION = re.compile(r"^no access-list (\d+) ")


def whole_numbered_acls(commands: list[str], intended: str) -> list[str]:
    """On IOS 'no access-list N <entry>' deletes all of list N: rewrite touched lists whole."""
    out: list[str] = []
    touched: set[str] = set()
    for line in commands:
        m = NUMBERED_ACL_NEGATION.match(line)
        if m is None:
            out.append(line)
            continue
        number = m.group(1)
        if number not in touched:
            touched.add(number)
            out.append(f"no access-list {number}")
            out += [x for x in intended.splitlines() if x.startswith(f"access-list {number} ")]
    return out


def write_only(text: str) -> list[str]:
    return [line for line in text.splitlines() if WRITE_ONLY.match(line)]


DEFAULT_FORMS: dict[str, tuple[str, str]] = {
    "logging buffered": (
        "default logging buffered",
        "Cisco IOS command reference, logging buffered (mirror: gattner.name/simon/public/bsd/"
        "cisco/src/logging%20buffered.htm): 'To cancel the use of the buffer, use the no form of "
        "this command. The default form of this command returns the buffer size to the default "
        "size. For most platforms, the Cisco IOS software logs messages to the internal buffer by "
        "default.'",
    ),
}
"""Settings on by default whose `no` form turns them off: a line the intent no longer has is
removed with the command's default form, which brings back what a device without the line
runs (and shows nothing), not with `no`, which would switch the feature off. (key: (command,
source)); a key the intent names, as itself or negated, is left to the plan."""


def restore_defaults(commands: list[str], want_text: str) -> list[str]:
    """`no logging buffered 64000 informational` -> `default logging buffered` when the intent
    is silent on `logging buffered` (DEFAULT_FORMS)."""
    said = {
        key
        for line in want_text.splitlines()
        if not line.startswith(" ")
        for key in DEFAULT_FORMS
        if line.removeprefix("no ") == key or line.removeprefix("no ").startswith(key + " ")
    }
    out: list[str] = []
    for command in commands:
        body = command.removeprefix("no ")
        key = next(
            (k for k in DEFAULT_FORMS if body == k or body.startswith(k + " ")),
            None,
        )
        if command.startswith("no ") and key is not None and key not in said:
            out.append(DEFAULT_FORMS[key][0])
        else:
            out.append(command)
    return out


def fix_negations(commands: list[str]) -> list[str]:
    """'no interface Gi0/1' -> 'default interface Gi0/1' for physical interfaces."""
    return [f"default interface {m.group(1)}" if (m := PHYSICAL.match(c)) else c for c in commands]


def _parents(commands: list[str]) -> list[tuple[str, ...]]:
    """Each command's section path (the headers above it, by indentation)."""
    out: list[tuple[str, ...]] = []
    stack: list[tuple[int, str]] = []
    for line in commands:
        indent = len(line) - len(line.lstrip(" "))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        out.append(tuple(text for _, text in stack))
        stack.append((indent, line.strip()))
    return out


def drop_replaced_negations(commands: list[str]) -> list[str]:
    """No `no hostname a` before `hostname b`: a single-value setting is replaced by setting it.

    (Negating first would briefly leave the device without it: `no hostname` changes the
    prompt mid-session, `no enable secret` leaves privileged mode open.) The negation of a
    `no X` line is the bare key (`no logging buffered` -> `logging buffered`): dropped too.
    Inside sections the same holds for SINGLE_VALUE_CHILDREN (`exec-timeout`, ...).
    """
    parents = _parents(commands)

    def key(i: int) -> str | None:
        prefixes = SINGLE_VALUE_CHILDREN if parents[i] else SINGLE_VALUE_TOP
        return words_key(commands[i].strip(), prefixes)

    valued = {
        (parents[i], k)
        for i, line in enumerate(commands)
        if (k := key(i)) and not line.strip().startswith("no ") and line.strip() != k
    }
    # `login` alone is a value too (BARE_VALUES): it replaces `login local`, unless the
    # section also sets another value, which replaces both.
    set_keys = valued | {
        (parents[i], k)
        for i, line in enumerate(commands)
        if (k := key(i)) in BARE_VALUES and parents[i] and line.strip() == k
    }
    out = []
    for i, line in enumerate(commands):
        k = key(i)
        text = line.strip()
        bare = text == k and (k not in BARE_VALUES or (parents[i], k) in valued)
        negation = text.startswith("no ") or bare
        if k and negation and (parents[i], k) in set_keys and k != "shutdown":
            continue
        out.append(line)
    return out


def set_defaults(commands: list[str], defaults: set[tuple[str, str]]) -> list[str]:
    """`exec-timeout 10 0`, not `no exec-timeout 0 0`, when the intent sets the default.

    The planner compares without the defaults IOS hides (ios_canon), so a device set to
    another value is planned as a negation; when the intent names the default (`defaults`:
    ios_canon.hidden_defaults of the intent), the intent's line is sent instead: it sets the
    same value and is what the operator wrote.
    """
    parents = _parents(commands)
    out: list[str] = []
    for i, command in enumerate(commands):
        text = command.strip()
        parent = parents[i][-1] if len(parents[i]) == 1 else ("" if not parents[i] else None)
        prefixes = SINGLE_VALUE_CHILDREN if parents[i] else SINGLE_VALUE_TOP
        k = words_key(text, prefixes)
        if text.startswith("no ") and k is not None and parent is not None:
            wanted = next(
                (d for p, d in sorted(defaults) if p == parent and words_key(d, prefixes) == k),
                None,
            )
            if wanted is not None:
                out.append(command[: len(command) - len(command.lstrip(" "))] + wanted)
                continue
        out.append(command)
    return out
