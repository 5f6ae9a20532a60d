"""``show interfaces [IF]``: status, hardware, duplex and speed, rates and counters.

Layouts by platform family, from public real outputs:

* IOS-XE ISR 4000 router ports: Cisco Networking Academy ITN sample of an ISR4321
  (``Hardware is ISR4321-2x1GE``, ``Keepalive not supported``, ``Full Duplex, 100Mbps, link
  type is auto, media type is RJ45``, ``Input queue: 0/375/0/0``, ``1 lost carrier, 0 no
  carrier, 0 pause output``), reproduced in public course notes; the management port
  ``Hardware is RP management port`` (an ASR/ISR sample quoted in public notes);
* Catalyst switch ports: ntc-templates ``tests/cisco_ios/show_interfaces`` raw outputs and
  genieparser's ``ShowInterfaces`` golden outputs (``is up, line protocol is up
  (connected)``, ``Hardware is Gigabit Ethernet``, ``Full-duplex, 1000Mb/s, media type is
  10/100/1000BaseTX``, ``Auto-duplex, Auto-speed`` when down, ``(notconnect)``/``(disabled)``,
  ``0 input packets with dribble condition detected``);
* Loopback and SVI blocks: ntc-templates ``cisco_ios_show_interfaces.raw``.

Unconfirmed: the body of an ISR 4000 sub-interface (printed short: no counter block), the
``Queueing strategy: Class-based queueing`` line of an interface with an output policy on
IOS-XE, and whether these platforms print "carrier transitions" (they do not here: a flap
shows as lost carrier and an interface reset).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from rollout.hardware import MODELS
from rollout.lab.ios import qos
from rollout.lab.ios.config import is_physical
from rollout.lab.ios.network import Sample
from rollout.lab.ios.state import DeviceState
from rollout.lab.ios.traffic import PortInfo


@dataclass(frozen=True, slots=True)
class Layout:
    switch: bool
    keepalive: str
    flow_control: str
    queue_max: int
    dribble: bool


ROUTER = Layout(
    False,
    "Keepalive not supported",
    "output flow-control is off, input flow-control is off",
    375,
    False,
)
SWITCH = Layout(
    True,
    "Keepalive set (10 sec)",
    "input flow-control is off, output flow-control is unsupported",
    75,
    True,
)


def layout(model: str) -> Layout:
    hw = MODELS.get(model)
    return (
        SWITCH
        if (hw is not None and hw.role == "lan_switch") or model.startswith("WS-")
        else ROUTER
    )


def mac(device: DeviceState, name: str) -> str:
    h = hashlib.sha256(f"{device.serial}/{name.split('.', maxsplit=1)[0]}".encode()).hexdigest()
    return f"{h[0:4]}.{h[4:8]}.{h[8:12]}"


def show_interfaces(device: DeviceState, name: str | None = None) -> str | None:
    """The whole output, or one interface's block; None for an unknown interface."""
    sample = device.network.sample(device.tree)
    nodes = {n.tokens()[1]: n for n in device.tree.top("interface")}
    if name is not None and name not in nodes:
        return None
    lay = layout(device.model)
    blocks = [_block(device, lay, n, sample) for n in nodes if name is None or n == name]
    return "\n".join(line for b in blocks for line in b)


def _status(device: DeviceState, lay: Layout, info: PortInfo) -> tuple[str, str, str]:
    link, proto, _d = device.network.link_state(info.name.split(".")[0])
    port = lay.switch and is_physical(info.name)  # a switch port says why; an SVI does not
    if info.shutdown:
        return "administratively down", "down", " (disabled)" if port else ""
    if not info.cabled or not link:
        return "down", "down", " (notconnect)" if port else ""
    return "up", "up" if proto else "down", " (connected)" if port else ""


def _block(device: DeviceState, lay: Layout, name: str, sample: Sample) -> list[str]:
    node = next(n for n in device.tree.top("interface") if n.tokens()[1] == name)
    info = sample.traffic.ports[name]
    status, proto, suffix = _status(device, lay, info)
    address = mac(device, name)
    lines = [f"{name} is {status}, line protocol is {proto}{suffix} "]
    lines.append(
        f"  Hardware is {_hardware(device, lay, name)}"
        + ("" if name.startswith("Loopback") else f", address is {address} (bia {address})")
    )
    if info.description:
        lines.append(f"  Description: {info.description}")
    ip = _address(node.children or ())
    if ip is not None:
        lines.append(f"  Internet address is {ip}")
    bw = _bandwidth(node.children or (), info)
    if name.startswith("Loopback"):
        lines += [
            "  MTU 1514 bytes, BW 8000000 Kbit/sec, DLY 5000 usec, ",
            "     reliability 255/255, txload 1/255, rxload 1/255",
            "  Encapsulation LOOPBACK, loopback not set",
            "  Keepalive set (10 sec)",
        ]
    else:
        rates = sample.traffic.rates
        tx, rx = (_load(rates.get(f"if:{name}:{w}_bytes", 0.0), bw) for w in ("out", "in"))
        lines += [
            f"  MTU 1500 bytes, BW {bw} Kbit/sec, DLY 10 usec, ",
            f"     reliability 255/255, txload {tx}/255, rxload {rx}/255",
        ]
    if "." in name:
        vlan = _dot1q(node.children or ())
        return [
            *lines,
            f"  Encapsulation 802.1Q Virtual LAN, Vlan ID  {vlan}.",
            "  ARP type: ARPA, ARP Timeout 04:00:00",
            f"  {lay.keepalive}",
            '  Last clearing of "show interface" counters never',
        ]
    up = status == "up"
    if not name.startswith(("Loopback", "Vlan")):
        lines += [
            "  Encapsulation ARPA, loopback not set",
            f"  {lay.keepalive}",
            f"  {_duplex(lay, info, up)}",
            f"  {lay.flow_control}",
        ]
    elif name.startswith("Vlan"):
        lines += ["  Encapsulation ARPA, loopback not set", "  Keepalive not supported"]
    if not name.startswith("Loopback"):
        lines.append("  ARP type: ARPA, ARP Timeout 04:00:00")
    last = "00:00:00" if up else "never"
    lines += [
        f"  Last input {last}, output {last}, output hang never",
        f'  Last clearing of "show interface" counters {_since(device, name, sample)}',
    ]
    return lines + _counters(device, lay, node, name, sample)


def _hardware(device: DeviceState, lay: Layout, name: str) -> str:
    if name.startswith("Loopback"):
        return "Loopback"
    if name.startswith("Vlan"):
        return "Ethernet SVI"
    hw = MODELS.get(device.model)
    if hw is not None and name == hw.mgmt_port and not lay.switch:
        return "RP management port"
    if lay.switch:
        return "Fast Ethernet" if name.startswith("FastEthernet") else "Gigabit Ethernet"
    data = len(hw.data_ports) if hw is not None else 2
    return f"{device.model}-{data}x1GE"


def _address(children: object) -> str | None:
    for child in children:  # type: ignore[attr-defined]
        t = child.tokens()
        if t[:2] == ["ip", "address"] and len(t) == 4 and t[2][0].isdigit():
            return str(ipaddress.IPv4Interface(f"{t[2]}/{t[3]}"))
    return None


def _dot1q(children: object) -> str:
    for child in children:  # type: ignore[attr-defined]
        t = child.tokens()
        if t[:2] == ["encapsulation", "dot1Q"] and len(t) >= 3:
            return str(t[2])
    return "not set"


def _bandwidth(children: object, info: PortInfo) -> int:
    for child in children:  # type: ignore[attr-defined]
        t = child.tokens()
        if t[0] == "bandwidth" and len(t) == 2 and t[1].isdigit():
            return int(t[1])
    return info.speed_mbps * 1000


def _duplex(lay: Layout, info: PortInfo, up: bool) -> str:
    if lay.switch:
        media = "10/100/1000BaseTX"
        if not up:
            return f"Auto-duplex, Auto-speed, media type is {media}"
        return f"{info.duplex}-duplex, {info.speed_mbps}Mb/s, media type is {media}"
    if not up:
        return "Auto Duplex, Auto Speed, link type is auto, media type is RJ45"
    return f"{info.duplex} Duplex, {info.speed_mbps}Mbps, link type is auto, media type is RJ45"


def _base(device: DeviceState, name: str) -> int:
    """A stable packet count the port had before the lab started (a unit in service)."""
    return int(hashlib.sha256(f"{device.serial}:{name}".encode()).hexdigest()[:6], 16) % 90000


def _counters(device: DeviceState, lay: Layout, node: object, name: str, s: Sample) -> list[str]:
    v = s.values
    r = s.traffic.rates

    def c(key: str) -> int:
        return int(v.get(f"if:{name}:{key}", 0.0))

    def rate(key: str) -> int:
        return int(r.get(f"if:{name}:{key}", 0.0))

    _link, _proto, downs = device.network.link_state(name)
    cabled = s.traffic.ports[name].cabled
    base = _base(device, name) if cabled and name not in device.network.cleared else 0
    in_pkts, out_pkts = c("in_pkts") + base, c("out_pkts") + base
    in_bytes, out_bytes = c("in_bytes") + base * 96, c("out_bytes") + base * 96
    policy = qos.attached(node, "output")  # type: ignore[arg-type]
    strategy = "Class-based queueing" if policy else "fifo"
    lines = [
        f"  Input queue: 0/{lay.queue_max}/0/0 (size/max/drops/flushes); "
        f"Total output drops: {c('output_drops')}",
        f"  Queueing strategy: {strategy}",
        "  Output queue: 0/40 (size/max)",
        f"  5 minute input rate {_bits(rate('in_bytes'))} bits/sec, {rate('in_pkts')} packets/sec",
        f"  5 minute output rate {_bits(rate('out_bytes'))} bits/sec, "
        f"{rate('out_pkts')} packets/sec",
        f"     {in_pkts} packets input, {in_bytes} bytes, 0 no buffer",
        f"     Received {base // 7} broadcasts ({base // 9} IP multicasts)",
        f"     {c('runts')} runts, 0 giants, 0 throttles ",
        f"     {c('input_errors')} input errors, {c('crc')} CRC, {c('frame')} frame, "
        "0 overrun, 0 ignored",
    ]
    if name.startswith(("Loopback", "Vlan")):
        return [
            *lines,
            f"     {out_pkts} packets output, {out_bytes} bytes, 0 underruns",
            f"     0 output errors, {1 + downs} interface resets",
            "     0 unknown protocol drops",
            "     0 output buffer failures, 0 output buffers swapped out",
        ]
    lines.append(f"     0 watchdog, {base // 9} multicast, 0 pause input")
    if lay.dribble:
        lines.append("     0 input packets with dribble condition detected")
    return [
        *lines,
        f"     {out_pkts} packets output, {out_bytes} bytes, 0 underruns",
        f"     {c('output_errors')} output errors, {c('collisions')} collisions, "
        f"{1 + downs} interface resets",
        "     0 unknown protocol drops",
        f"     0 babbles, {c('late_collision')} late collision, {c('deferred')} deferred",
        f"     {downs} lost carrier, 0 no carrier, 0 pause output",
        "     0 output buffer failures, 0 output buffers swapped out",
    ]


def _since(device: DeviceState, name: str, sample: Sample) -> str:
    """``never``, or the time since ``clear counters`` as IOS shows it (hh:mm:ss under a
    day, then 1d02h)."""
    at = device.network.cleared.get(name)
    if at is None:
        return "never"
    secs = int((sample.at - at).total_seconds())
    if secs < 86400:
        return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    return f"{secs // 86400}d{secs % 86400 // 3600:02d}h"


def _load(bytes_per_second: float, bw_kbps: int) -> int:
    """``txload``/``rxload``: the rate as a fraction of the interface bandwidth, of 255."""
    return min(255, max(1, round(255 * bytes_per_second * 8 / (bw_kbps * 1000 or 1))))


def _bits(bytes_per_second: int) -> int:
    """IOS shows the bit rate rounded to thousands."""
    return round(bytes_per_second * 8 / 1000) * 1000
