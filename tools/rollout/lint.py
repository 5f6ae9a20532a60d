"""The security baseline of what we render: rules as data, findings that name device, line, rule.

Line rules are rows of ``RULES``: a regular expression that must appear (``require``) or must
not (``forbid``) in a platform's rendered configuration. Rules that need the province's data
(NOC prefixes, syslog servers, the conference flows, vault values) are functions listed in
``CHECKS``. ``rollout lint`` and ``rollout validate`` run both.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rollout.inventory.model import Platform

if TYPE_CHECKING:
    from rollout.inventory.loader import Inventory
    from rollout.render import Rendered
    from rollout.secrets import Secrets


@dataclass(frozen=True)
class Finding:
    device: str
    line: int  # 1-based line of the rendered configuration; 0 when a line is missing
    rule: str
    message: str
    text: str = ""

    def __str__(self) -> str:
        where = f"{self.device}:{self.line}" if self.line else f"{self.device}:-"
        shown = f" [{self.text.strip()}]" if self.text else ""
        return f"{where}: {self.rule}: {self.message}{shown}"

    def as_dict(self) -> dict[str, object]:
        return {
            "device": self.device,
            "line": self.line or None,
            "rule": self.rule,
            "message": self.message,
            "text": self.text,
        }


@dataclass(frozen=True)
class Rule:
    id: str
    platform: Platform
    kind: Literal["require", "forbid"]
    pattern: str
    message: str


IOS = Platform.CISCO_IOS
CODEC = Platform.POLYCOM

RULES: tuple[Rule, ...] = (
    # management access
    Rule("ios-ssh-v2", IOS, "require", r"ip ssh version 2", "SSH must be version 2 only"),
    Rule("ios-no-telnet", IOS, "forbid", r"\s*transport input .*\btelnet\b", "telnet is open"),
    Rule("ios-no-telnet", IOS, "forbid", r"\s*transport input all", "telnet is open (all)"),
    Rule("ios-no-telnet", IOS, "forbid", r"\s*transport input (?!ssh\s*$).*", "vty not SSH-only"),
    Rule("ios-no-http", IOS, "forbid", r"ip http (secure-)?server", "the HTTP server is on"),
    Rule("ios-no-http", IOS, "require", r"no ip http server", "say `no ip http server`"),
    Rule("ios-no-http", IOS, "require", r"no ip http secure-server", "no ip http secure-server"),
    # secrets
    Rule("ios-strong-secrets", IOS, "forbid", r".*\bpassword\s+(0|7\s|\S+$).*", "clear/type 7"),
    Rule("ios-strong-secrets", IOS, "forbid", r"enable password.*", "enable password (weak)"),
    Rule("ios-strong-secrets", IOS, "forbid", r".*\bsecret\s+[05]\s.*", "secret type 0/5"),
    Rule("ios-strong-secrets", IOS, "require", r"enable secret [89] \S+", "enable secret 8/9"),
    Rule("ios-strong-secrets", IOS, "require", r"username \S+ .*secret [89] \S+", "user type 8/9"),
    # login blocking
    Rule("ios-login-block", IOS, "require", r"login block-for \d+ attempts \d+ within \d+", ""),
    Rule("ios-login-block", IOS, "require", r"login on-failure log", "failed logins not logged"),
    # During the quiet period only hosts of this ACL may log in; without it one bad vault
    # password locks the NOC out of every device (Cisco: "login quiet-mode access-class").
    Rule(
        "ios-login-block",
        IOS,
        "require",
        r"login quiet-mode access-class NOC-MGMT",
        "the quiet period would lock the NOC out too",
    ),
    # SNMP: v3 authPriv only
    Rule("ios-snmpv3-authpriv", IOS, "forbid", r"snmp-server community .*", "community string"),
    Rule("ios-snmpv3-authpriv", IOS, "forbid", r"snmp-server group \S+ v3 (auth|noauth)\b.*", ""),
    Rule("ios-snmpv3-authpriv", IOS, "forbid", r"snmp-server group \S+ v(1|2c)\b.*", "v1/v2c"),
    Rule("ios-snmpv3-authpriv", IOS, "forbid", r"snmp-server host \S+ (?!version 3 priv ).*", ""),
    Rule("ios-snmpv3-authpriv", IOS, "forbid", r"snmp-server user (?!.* auth sha .* priv ).*", ""),
    Rule("ios-snmpv3-authpriv", IOS, "require", r"snmp-server group \S+ v3 priv\b.*", ""),
    # snmp-server host sends only the trap families that are enabled
    Rule("ios-snmp-traps", IOS, "require", r"snmp-server enable traps snmp\b.*", "no traps sent"),
    # codec
    Rule("codec-no-telnet", CODEC, "require", r"systemsetting telnetenabled False", ""),
    Rule("codec-no-telnet", CODEC, "forbid", r".*telnetenabled\s+(set\s+)?True.*", "telnet on"),
    # The web UI's API name is unconfirmed (docs/codec.md): the template leaves it alone, and a
    # line that turns it on is refused.
    Rule("codec-no-http", CODEC, "forbid", r".*webenabled\s+(set\s+)?True.*", "web UI on"),
    Rule(
        "codec-aes",
        CODEC,
        "require",
        r"encryption (yes|requiredvideocallsonly|requiredallcalls)",
        "",
    ),
    Rule("codec-aes", CODEC, "forbid", r"encryption no", "media in clear"),
    Rule("codec-ssh-api", CODEC, "require", r"sshenable true", "the API must go over SSH"),
    Rule("codec-no-snmpv2", CODEC, "require", r"enablesnmp no", "SNMP v1/v2c must be off"),
)

# Factory and well-known default passwords (the codec's factory default is its serial number).
DEFAULT_PASSWORDS = frozenset(
    {"456", "admin", "password", "polycom", "cisco", "changeme", "123456", "12345678", "1234"}
)
SERIAL_LIKE = re.compile(r"^[0-9A-Z]{8,16}$")
MIN_PASSWORD = 12


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _line_rules(r: Rendered) -> Iterable[Finding]:
    lines = _lines(r.text)
    for rule in RULES:
        if rule.platform is not r.platform:
            continue
        pattern = re.compile(rule.pattern)
        hits = [(n, line) for n, line in enumerate(lines, 1) if pattern.fullmatch(line.rstrip())]
        if rule.kind == "forbid":
            for n, line in hits:
                yield Finding(r.hostname, n, rule.id, rule.message or "forbidden line", line)
        elif not hits:
            yield Finding(
                r.hostname, 0, rule.id, f"missing `{rule.pattern}`: {rule.message}".rstrip(": ")
            )


def _sections(lines: Sequence[str], head: re.Pattern[str]) -> list[tuple[int, str, list[str]]]:
    """Top-level lines matching head, each with its indented children."""
    out: list[tuple[int, str, list[str]]] = []
    inside = False
    for n, line in enumerate(lines, 1):
        if not line.startswith(" "):
            inside = bool(head.match(line))
            if inside:
                out.append((n, line, []))
        elif inside:
            out[-1][2].append(line)
    return out


def _acls(lines: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
    acls: dict[str, list[tuple[int, str]]] = {}
    current = ""
    for n, line in enumerate(lines, 1):
        m = re.match(r"ip access-list (?:standard|extended) (\S+)", line)
        if m:
            current = m.group(1)
            acls[current] = []
        elif line.startswith(" ") and current:
            acls[current].append((n, line.strip()))
        elif not line.startswith(" "):
            current = ""
    return acls


def _vty_access_class(inv: Inventory, r: Rendered) -> Iterable[Finding]:
    if r.platform is not IOS:
        return
    lines = _lines(r.text)
    noc = [ipaddress.ip_network(str(p)) for p in inv.province.noc_prefixes]
    acls = _acls(lines)
    vtys = _sections(lines, re.compile(r"line vty "))
    if not vtys:
        yield Finding(r.hostname, 0, "ios-vty-access-class", "no `line vty` section")
    for n, head, body in vtys:
        names = [m.group(1) for b in body if (m := re.match(r"\s+access-class (\S+) in", b))]
        if not names:
            yield Finding(r.hostname, n, "ios-vty-access-class", "vty without access-class", head)
            continue
        entries = acls.get(names[0])
        if entries is None:
            yield Finding(
                r.hostname, n, "ios-vty-access-class", f"ACL {names[0]} is not defined", head
            )
            continue
        for m_line, entry in entries:
            words = entry.split()
            if words[:1] != ["permit"]:
                continue
            net = _standard_net(words[1:])
            if net is None or not any(net.subnet_of(p) for p in noc if p.version == net.version):
                yield Finding(
                    r.hostname,
                    m_line,
                    "ios-vty-access-class",
                    f"{names[0]} lets in more than the NOC prefixes",
                    entry,
                )


def _standard_net(words: Sequence[str]) -> ipaddress.IPv4Network | None:
    try:
        if words[:1] == ["host"]:
            return ipaddress.IPv4Network(f"{words[1]}/32")
        if words[:1] == ["any"] or not words:
            return None
        if len(words) >= 2 and re.match(r"\d+\.\d+\.\d+\.\d+$", words[1]):
            return ipaddress.IPv4Network(f"{words[0]}/{words[1]}")
        return ipaddress.IPv4Network(f"{words[0]}/32")
    except (ValueError, IndexError):
        return None


def _logging(inv: Inventory, r: Rendered) -> Iterable[Finding]:
    if r.platform is not IOS:
        return
    lines = _lines(r.text)
    wanted = {str(a) for a in inv.province.syslog_servers}
    seen = set()
    for n, line in enumerate(lines, 1):
        m = re.fullmatch(r"logging host (\S+).*", line.strip())
        if m and not line.startswith(" "):
            seen.add(m.group(1))
            if m.group(1) not in wanted:
                yield Finding(
                    r.hostname, n, "ios-logging", "logs go to a server not in the province", line
                )
    for server in sorted(wanted - seen):
        yield Finding(r.hostname, 0, "ios-logging", f"no `logging host {server}`")


NAMED_PORTS = {
    "ntp": 123,
    "snmp": 161,
    "snmptrap": 162,
    "www": 80,
    "telnet": 23,
    "22": 22,
    "domain": 53,
    "sip": 5060,
    "h323": 1720,
    "syslog": 514,
    "tftp": 69,
}


def _port(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return NAMED_PORTS.get(word)


CONFERENCE_ROLES = {"mcu", "gatekeeper", "registrar"}


def _conference_ports(inv: Inventory, r: Rendered) -> Iterable[Finding]:
    """Lines of any ACL that reach the hub's conference services open only the ports of the
    flows table's conference rows (province.yml flows:)."""
    if r.platform is not IOS:
        return
    services = [
        ipaddress.ip_address(str(s.address))
        for s in inv.province.services.values()
        if s.kind in {"mcu", "sip_registrar", "h323_gatekeeper"}
    ]
    exempt = [
        ipaddress.IPv4Network(str(p))
        for p in [*inv.province.noc_prefixes, *inv.province.cloud.prefixes]
    ]
    allowed: dict[str, list[tuple[int, int]]] = {"tcp": [], "udp": []}
    if r.site in inv.sites:
        from rollout.flows import site_flows  # the flows table is the only source of ports

        for flow in site_flows(inv, inv.sites[r.site]):
            if flow.protocol in allowed and {flow.opener, flow.responder} & CONFERENCE_ROLES:
                allowed[flow.protocol] += [s for s in (flow.dst_ports, flow.src_ports) if s]
    for name, entries in _acls(_lines(r.text)).items():
        for n, entry in entries:
            words = entry.split()
            if words[:1] != ["permit"] or len(words) < 3:
                continue
            proto, rest = words[1], words[2:]
            if proto in {"any", "host"} or proto[:1].isdigit():
                continue  # a standard ACL: addresses only
            try:
                src, rest = _address(rest)
                sport, rest = _ports(rest)
                dst, rest = _address(rest)
                dport, rest = _ports(rest)
            except (ValueError, IndexError):
                yield Finding(r.hostname, n, "acl-parse", f"cannot read this line of {name}", entry)
                continue
            if not _conference_line(src, dst, services, exempt):
                continue
            if proto not in allowed:
                yield Finding(
                    r.hostname,
                    n,
                    "acl-conference-ports",
                    f"{name} opens all of {proto} to the conference services",
                    entry,
                )
                continue
            for spec in (sport, dport):
                if spec is None:
                    continue
                lo, hi = spec
                if not any(a <= lo and hi <= b for a, b in allowed[proto]):
                    yield Finding(
                        r.hostname,
                        n,
                        "acl-conference-ports",
                        f"{name} opens {proto} {lo}-{hi}, not in a conference flow",
                        entry,
                    )
            if sport is None and dport is None:
                yield Finding(
                    r.hostname,
                    n,
                    "acl-conference-ports",
                    f"{name} opens every {proto} port to the conference services",
                    entry,
                )


def _conference_line(
    src: ipaddress.IPv4Network | None,
    dst: ipaddress.IPv4Network | None,
    services: Sequence[ipaddress.IPv4Address | ipaddress.IPv6Address],
    exempt: Sequence[ipaddress.IPv4Network],
) -> bool:
    """One end is the hub's conference services (not 'any'), the other is not the NOC or the
    cloud service (those have their own rules)."""
    for here, there in ((src, dst), (dst, src)):
        if here is None or there is None or here.prefixlen == 0:
            continue
        if not any(a in here for a in services):
            continue
        if there.prefixlen and any(there.subnet_of(e) for e in exempt):
            continue
        return True
    return False


def _address(words: list[str]) -> tuple[ipaddress.IPv4Network | None, list[str]]:
    if not words:
        raise ValueError("no address")
    if words[0] == "any":
        return ipaddress.IPv4Network("0.0.0.0/0"), words[1:]
    if words[0] == "host":
        return ipaddress.IPv4Network(f"{words[1]}/32"), words[2:]
    return ipaddress.IPv4Network(f"{words[0]}/{words[1]}"), words[2:]


def _ports(words: list[str]) -> tuple[tuple[int, int] | None, list[str]]:
    if not words:
        return None, words
    op = words[0]
    if op == "eq":
        port = _port(words[1])
        if port is None:
            raise ValueError(words[1])
        return (port, port), words[2:]
    if op == "range":
        lo, hi = _port(words[1]), _port(words[2])
        if lo is None or hi is None:
            raise ValueError(words[1])
        return (lo, hi), words[3:]
    if op in {"gt", "lt", "neq"}:
        port = _port(words[1])
        if port is None:
            raise ValueError(words[1])
        return ((port + 1, 65535) if op == "gt" else (1, 65535)), words[2:]
    return None, words


def weak_password(value: str) -> str:
    """Why a password is weak ('' when it is not)."""
    if value.lower() in DEFAULT_PASSWORDS:
        return "a factory or well-known default"
    if SERIAL_LIKE.fullmatch(value):
        return "shaped like a serial number (the codec's factory default)"
    if len(value) < MIN_PASSWORD:
        return f"shorter than {MIN_PASSWORD} characters"
    if len(set(value)) < 5:
        return "too few distinct characters"
    return ""


def _vault(inv: Inventory, secrets: Secrets) -> Iterable[tuple[str, Platform, str]]:
    """(rule, platform it protects, message) for every weak or default vault password."""
    cred = inv.province.credentials
    for key, rule, platform in (
        (cred.codec_admin_password, "codec-default-password", CODEC),
        (cred.admin_password, "weak-password", IOS),
        (cred.enable_secret, "weak-password", IOS),
    ):
        value = secrets.get(key)
        why = weak_password(value) if value is not None else ""
        if why:
            yield rule, platform, f"the vault value {key} is {why}; refused"


CHECKS: tuple[Callable[[Inventory, Rendered], Iterable[Finding]], ...] = (
    _vty_access_class,
    _logging,
    _conference_ports,
)


def lint_rendered(inv: Inventory, items: Sequence[Rendered]) -> list[Finding]:
    findings: list[Finding] = []
    for r in items:
        findings += _line_rules(r)
        for check in CHECKS:
            findings += check(inv, r)
    return findings


def lint_sites(inv: Inventory, secrets: Secrets, sites: Sequence[str]) -> list[Finding]:
    from rollout.render import render_sites

    items = [r for r in render_sites(inv, list(sites), secrets) if r.platform in (IOS, CODEC)]
    findings = lint_rendered(inv, items)
    for rule, platform, message in _vault(inv, secrets):
        findings += [Finding(r.hostname, 0, rule, message) for r in items if r.platform is platform]
    return findings
