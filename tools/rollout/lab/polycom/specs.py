"""The codec's persistent settings as data: what each accepts, how it prints, its source.

Three command forms carry settings (docs/codec.md, "Syntax"):

- `GET_SET`: ``<name> get`` / ``<name> set [value]``;
- `MODES`: ``<name> <get|value>`` (the value is the verb);
- `SYSTEMSETTINGS`: ``systemsetting get <name>`` reads, ``systemsetting <name> <value>``
  writes.

Each entry's ``source`` is a key of `rollout.lab.polycom.api.SOURCES`.
`FACTORY_DEFAULTS` is what a factory-reset codec holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Spec:
    """One persistent setting of the codec."""

    key: str
    """Canonical key (``gatekeeperip``, ``systemsetting.sipproxyserver``, ...)."""
    kind: str = "text"
    """``text`` (no spaces unless ``spaces``), ``int`` (``low..high``) or ``choice``."""
    low: int = 0
    high: int = 0
    choices: tuple[str, ...] = ()
    spaces: bool = False
    """Free text that may contain spaces (names, locations)."""
    clearable: bool = True
    """``set`` without a value clears the setting."""
    empty: str = '""'
    """How an empty value prints: ``""`` for text, ``<empty>`` for numbers."""
    digits: bool = False
    """Text limited to dial digits (E.164 extensions)."""
    readonly: bool = False
    secret: bool = False
    """Can be set but never read back (passwords)."""
    source: str = "unconfirmed"
    """Key of `SOURCES`: the public source of the command and its reply."""
    address: bool = False
    """An IPv4 address (dotted quad)."""
    static_only: bool = False
    """Refused while DHCP is on ('can only be changed when DHCP is off', hdx-api IpAddress)."""


def text_spec(
    key: str, *, spaces: bool = False, digits: bool = False, source: str = "unconfirmed"
) -> Spec:
    return Spec(key, "text", spaces=spaces, digits=digits, source=source)


def int_spec(
    key: str, low: int, high: int, *, clearable: bool = False, source: str = "unconfirmed"
) -> Spec:
    return Spec(key, "int", low=low, high=high, clearable=clearable, empty="<empty>", source=source)


def choice_spec(key: str, *choices: str, source: str = "unconfirmed") -> Spec:
    return Spec(key, "choice", choices=choices, clearable=False, source=source)


def address_spec(key: str, *, static_only: bool = False) -> Spec:
    return Spec(key, "text", address=True, static_only=static_only, source="hdx-api")


# Commands of the form ``<name> get`` / ``<name> set [value]``.
GET_SET: dict[str, Spec] = {
    spec.key: spec
    for spec in (
        text_spec("systemname", spaces=True, source="hdx-api"),
        text_spec("h323name", spaces=True, source="mividas-hdx"),
        text_spec("e164ext", digits=True, source="mividas-hdx"),
        text_spec("gatekeeperip", source="gs-avispl"),
        int_spec("maxtimeincall", 0, 2880, clearable=True, source="vs-api"),
        # 'tcpports set [{1024..49150}]' / 'udpports set ...': the base of the fixed range.
        int_spec("tcpports", 1024, 49150, source="hdx-api"),
        int_spec("udpports", 1024, 49150, source="hdx-api"),
        int_spec("diffservaudio", 0, 63, source="hdx-api"),
        int_spec("diffservvideo", 0, 63, source="hdx-api"),
        int_spec("diffservfecc", 0, 63, source="hdx-api"),
        int_spec("ipprecaudio", 0, 7, source="hdx-api"),
        int_spec("ipprecvideo", 0, 7, source="hdx-api"),
        int_spec("ipprecfecc", 0, 7, source="hdx-api"),
        text_spec("ntpserver", source="hdx-api"),
        text_spec("snmpadmin", spaces=True, source="vs-api"),
        text_spec("snmpcommunity", source="vs-api"),
        text_spec("snmpconsoleip", source="vs-api"),
        text_spec("snmplocation", spaces=True, source="vs-api"),
        choice_spec("snmptrapversion", "v1", "v2c"),
        # 'vlanid get|set {1..4094}': the 802.1Q id; name, range and reply unconfirmed
        # (docs/codec.md): the get/set family of hdx-api TcpPorts.
        int_spec("vlanid", 1, 4094),
        address_spec("ipaddress", static_only=True),
        address_spec("subnetmask"),
        address_spec("defaultgateway", static_only=True),
    )
}

# Commands of the form ``<name> <get|value>`` (the value is the verb).
MODES: dict[str, Spec] = {
    spec.key: spec
    for spec in (
        choice_spec("typeofservice", "ipprecedence", "diffserv", source="hdx-api"),
        choice_spec("usegatekeeper", "off", "specify", "auto", source="vs-api"),
        choice_spec("ntpmode", "auto", "off", "manual", source="hdx-api"),
        choice_spec("enablesnmp", "yes", "no", source="vs-api"),
        choice_spec("sshenable", "true", "false", source="gs-ai4av"),
        choice_spec(
            "encryption",
            "yes",
            "no",
            "requiredvideocallsonly",
            "requiredallcalls",
            source="hdx-api",
        ),
        choice_spec("usefixedports", "yes", "no", source="hdx-api"),
        choice_spec("dhcp", "off", "client", source="hdx-api"),
        # 'enablevlan yes|no|get': 802.1Q tagging on the LAN port; the name is unconfirmed
        # (docs/codec.md), the form is the 'enable<feature> yes|no|get' family (hdx-api
        # EnableSnmp, EnableRsvp, EnablePvec).
        choice_spec("enablevlan", "yes", "no"),
    )
}

# 'dns get {1..4}' / 'dns set {1..4} ["xxx.xxx.xxx.xxx"]' (hdx-api Dns: "A server
# identification number {1..4} is required"); the reply 'dns <n> <addr>' and a bare 'set'
# clearing a slot are unconfirmed (docs/codec.md). One address setting per slot.
DNS_SLOTS: dict[str, Spec] = {
    str(slot): Spec(f"dns.{slot}", "text", address=True, source="hdx-api") for slot in range(1, 5)
}

# ``systemsetting get <name>`` reads, ``systemsetting <name> <value>`` writes; both answer
# ``systemsetting <name> <value>`` (gs-avispl, g7500-x30, mividas-hdx). Booleans print as
# True/False (the case is unconfirmed: docs/codec.md).
SYSTEMSETTINGS: dict[str, Spec] = {
    spec.key.removeprefix("systemsetting."): spec
    for spec in (
        choice_spec("systemsetting.iph323enable", "True", "False", source="g7500-x30"),
        choice_spec("systemsetting.sipenable", "True", "False", source="g7500-x30"),
        text_spec("systemsetting.sipproxyserver", source="mividas-hdx"),
        text_spec("systemsetting.sipregistrarserver", source="gs-avispl"),
        text_spec("systemsetting.sipusername", source="mividas-hdx"),
        Spec("systemsetting.sippassword", "text", secret=True),
        choice_spec("systemsetting.siptransportprotocol", "Auto", "TCP", "UDP", "TLS"),
        int_spec("systemsetting.maxrxbandwidth", 64, 6144),
        int_spec("systemsetting.maxtxbandwidth", 64, 6144),
        choice_spec("systemsetting.telnetenabled", "True", "False", source="gs-ai4av"),
        Spec("systemsetting.model", "text", spaces=True, readonly=True, source="mividas-hdx"),
    )
}

MODEL = "RealPresence Group 500"
SOFTWARE_VERSION = "6.2.2.6-662011"

FACTORY_DEFAULTS: Mapping[str, str] = {
    "systemname": "Group Series",
    "h323name": "Group Series",
    "e164ext": "",
    "gatekeeperip": "",
    "usegatekeeper": "off",
    "maxtimeincall": "",
    "typeofservice": "ipprecedence",
    "diffservaudio": "0",
    "diffservvideo": "0",
    "diffservfecc": "0",
    "ipprecaudio": "4",
    "ipprecvideo": "4",
    "ipprecfecc": "3",
    "ntpmode": "auto",
    "ntpserver": "",
    "enablesnmp": "no",
    "snmpadmin": "",
    "snmpcommunity": "public",
    "snmpconsoleip": "",
    "snmplocation": "",
    "snmptrapversion": "v2c",
    "sshenable": "true",
    "encryption": "yes",
    "usefixedports": "no",
    "tcpports": "3230",
    "udpports": "3230",
    "dhcp": "client",
    "enablevlan": "no",
    "vlanid": "1",
    "dns.1": "",
    "dns.2": "",
    "dns.3": "",
    "dns.4": "",
    "ipaddress": "",
    "subnetmask": "",
    "defaultgateway": "",
    "systemsetting.iph323enable": "True",
    "systemsetting.sipenable": "True",
    "systemsetting.sipproxyserver": "",
    "systemsetting.sipregistrarserver": "",
    "systemsetting.sipusername": "",
    "systemsetting.sippassword": "",
    "systemsetting.siptransportprotocol": "Auto",
    "systemsetting.maxrxbandwidth": "6144",
    "systemsetting.maxtxbandwidth": "6144",
    "systemsetting.telnetenabled": "True",
    "systemsetting.model": MODEL,
}
"""Settings of a codec fresh from a factory reset, by canonical key (DHCP client, no fixed
ports, encryption when available, no 802.1Q tag, no DNS server; these defaults are
unconfirmed: docs/codec.md)."""
