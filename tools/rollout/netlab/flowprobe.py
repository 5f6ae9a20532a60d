"""One probe of one flow between two lab namespaces: did the request arrive, did the reply?

Both ends live in this process, each socket made inside its namespace (``ns.netns``):

- **TCP**: a listener at the destination (or the lab service already listening there) and a real
  ``connect`` from the source address (and port, when the flow fixes it); a byte echoed back when
  the listener is ours. When the handshake does not finish, the destination's own TCP table
  (``/proc/net/tcp``, state ``03`` = SYN_RECV, proc(5)) tells whether the SYN arrived: then only
  the reply was dropped.
- **UDP**: a datagram from the source port to the destination port and an echo from the
  destination port back. Where a lab service already holds the port (kamailio, sipp, the NTP
  responder), a raw socket sees the request arrive and sends the echo with the service's port
  (raw(7): ``IPPROTO_RAW`` implies ``IP_HDRINCL``; a UDP checksum of 0 means "none" over IPv4,
  RFC 768).
- **ICMP**: an echo request (RFC 792 type 8) from the source; the destination's kernel answers
  (type 0); a raw socket at the destination sees the request arrive.

Every wait is bounded by the probe's timeout.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import select
import socket
import struct
import time
from dataclasses import dataclass

from rollout.netlab import ns as nsh

MAGIC = b"RLF1"
TCP_SYN_RECV = "03"  # include/net/tcp_states.h, as /proc/net/tcp shows it
LINGER_RESET = struct.pack("ii", 1, 0)  # close with RST: no TIME_WAIT to block the next probe
LINGER_OFF = struct.pack("ii", 0, 0)  # close with FIN
IP_HEADER = struct.Struct("!BBHHHBBH4s4s")
UDP_HEADER = struct.Struct("!HHHH")
ICMP_HEADER = struct.Struct("!BBHHH")
ICMP_ECHO, ICMP_ECHO_REPLY = 8, 0


@dataclass(frozen=True)
class End:
    """One end of a probe: a namespace, an address in it and a port (0: any)."""

    ns: str
    address: str
    port: int = 0


@dataclass(frozen=True)
class Seen:
    arrived: bool  # the request reached the destination
    returned: bool  # the reply reached the source
    note: str = ""


def token() -> bytes:
    return MAGIC + os.urandom(8)


def probe(protocol: str, src: End, dst: End, timeout: float) -> Seen:
    if protocol == "tcp":
        return tcp(src, dst, timeout)
    if protocol == "udp":
        return udp(src, dst, timeout)
    if protocol == "icmp":
        return icmp(src, dst, timeout)
    raise ValueError(f"no probe for protocol {protocol!r}")


# --- TCP -------------------------------------------------------------------------------------


def _hex_end(address: str, port: int) -> str:
    """An IPv4 end as /proc/net/tcp writes it: address in host (little-endian) order, port."""
    packed = ipaddress.IPv4Address(address).packed[::-1].hex().upper()
    return f"{packed}:{port:04X}"


def syn_arrived(text: str, src: End, src_port: int, dst: End) -> bool:
    """Whether /proc/net/tcp text holds a SYN_RECV entry for src:src_port -> dst."""
    local, remote = _hex_end(dst.address, dst.port), _hex_end(src.address, src_port)
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 3 and fields[1] == local and fields[2] == remote:
            return fields[3] == TCP_SYN_RECV
    return False


def _listener(dst: End) -> socket.socket | None:
    sock = nsh.socket_in(dst.ns, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((dst.address, dst.port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            return None  # a lab service listens there: connect to it
        raise
    sock.listen(8)
    sock.setblocking(False)
    return sock


def tcp(src: End, dst: End, timeout: float) -> Seen:
    listener = _listener(dst)
    client = nsh.socket_in(src.ns, socket.SOCK_STREAM)
    try:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
        client.bind((src.address, src.port))
        src_port = client.getsockname()[1]
        client.setblocking(False)
        client.connect_ex((dst.address, dst.port))
        deadline = time.monotonic() + timeout
        _, writable, _ = select.select([], [client], [], timeout)
        error = client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) if writable else -1
        if error == errno.ECONNREFUSED:
            return Seen(True, True, "refused: nothing listens there")
        if error != 0:
            text = nsh.read_in(dst.ns, "/proc/thread-self/net/tcp")
            return Seen(syn_arrived(text, src, src_port, dst), False)
        if listener is None:
            # a lab service: close the way a polite client does (sipp's TCP server socket does
            # not survive a reset from its peer)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_OFF)
            return Seen(True, True, "connected to the lab's service")
        return _echo(client, listener, deadline)
    finally:
        client.close()
        if listener is not None:
            listener.close()


def _echo(client: socket.socket, listener: socket.socket, deadline: float) -> Seen:
    data = token()
    client.sendall(data)
    server: socket.socket | None = None
    try:
        while time.monotonic() < deadline:
            wait = max(deadline - time.monotonic(), 0)
            ready, _, _ = select.select(
                [listener, client, *([server] if server else [])], [], [], wait
            )
            if listener in ready and server is None:
                server, _addr = listener.accept()
                server.setblocking(False)
            if server is not None and server in ready:
                got = server.recv(64)
                if got:
                    server.sendall(got)
            if client in ready and client.recv(64) == data:
                return Seen(True, True)
        return Seen(True, False, "connected, but the echoed data did not come back")
    finally:
        if server is not None:
            server.close()


# --- UDP -------------------------------------------------------------------------------------


class UdpEnd:
    """A UDP socket at an address and port, or, where a lab service holds that port, a raw
    observer that sees what arrives there and a raw sender that answers from that port."""

    def __init__(self, end: End) -> None:
        self.end = end
        self.sock = nsh.socket_in(end.ns, socket.SOCK_DGRAM)
        self.raw_in: socket.socket | None = None
        self.raw_out: socket.socket | None = None
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind((end.address, end.port))
        except OSError as exc:
            self.sock.close()
            if exc.errno != errno.EADDRINUSE:
                raise
            self.raw_in = nsh.socket_in(end.ns, socket.SOCK_RAW, socket.IPPROTO_UDP)
            self.raw_out = nsh.socket_in(end.ns, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.port = end.port if self.raw_in else self.sock.getsockname()[1]

    @property
    def readable(self) -> socket.socket:
        return self.raw_in if self.raw_in is not None else self.sock

    def send(self, data: bytes, address: str, port: int) -> None:
        if self.raw_out is None:
            self.sock.sendto(data, (address, port))
            return
        udp = UDP_HEADER.pack(self.port, port, UDP_HEADER.size + len(data), 0) + data
        src = socket.inet_aton(self.end.address)
        ip = IP_HEADER.pack(
            0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0, src, socket.inet_aton(address)
        )
        self.raw_out.sendto(ip + udp, (address, 0))

    def receive(self) -> tuple[bytes, str, int] | None:
        """A datagram to this end (payload, sender address, sender port), or None."""
        if self.raw_in is None:
            data, (address, port) = self.sock.recvfrom(65535)
            return data, address, port
        packet = self.raw_in.recv(65535)
        ihl = (packet[0] & 0x0F) * 4
        if len(packet) < ihl + UDP_HEADER.size:
            return None
        sport, dport, _length, _sum = UDP_HEADER.unpack_from(packet, ihl)
        dst = socket.inet_ntoa(packet[16:20])
        if dst != self.end.address or dport != self.port:
            return None
        return packet[ihl + UDP_HEADER.size :], socket.inet_ntoa(packet[12:16]), sport

    def close(self) -> None:
        for sock in (self.sock, self.raw_in, self.raw_out):
            if sock is not None:
                sock.close()


def udp(src: End, dst: End, timeout: float) -> Seen:
    there = UdpEnd(dst)
    try:
        here = UdpEnd(src)
    except BaseException:
        there.close()
        raise
    try:
        data = token()
        here.send(data, dst.address, dst.port)
        arrived = False
        deadline = time.monotonic() + timeout
        while (wait := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([there.readable, here.readable], [], [], wait)
            if there.readable in ready:
                got = there.receive()
                if got and got[0] == data and got[1] == src.address and got[2] == here.port:
                    arrived = True
                    there.send(data, src.address, here.port)
            if here.readable in ready:
                got = here.receive()
                if got and got[0] == data and got[1] == dst.address and got[2] == dst.port:
                    return Seen(True, True)
        return Seen(arrived, False)
    finally:
        here.close()
        there.close()


# --- ICMP ------------------------------------------------------------------------------------


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    total: int = sum(int(word) for word in struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_request(ident: int, seq: int, payload: bytes) -> bytes:
    header = ICMP_HEADER.pack(ICMP_ECHO, 0, 0, ident, seq)
    return ICMP_HEADER.pack(ICMP_ECHO, 0, checksum(header + payload), ident, seq) + payload


def _icmp_of(packet: bytes) -> tuple[int, int, bytes, str] | None:
    ihl = (packet[0] & 0x0F) * 4
    if len(packet) < ihl + ICMP_HEADER.size:
        return None
    kind, _code, _sum, ident, _seq = ICMP_HEADER.unpack_from(packet, ihl)
    return kind, ident, packet[ihl + ICMP_HEADER.size :], socket.inet_ntoa(packet[12:16])


def icmp(src: End, dst: End, timeout: float) -> Seen:
    watch = nsh.socket_in(dst.ns, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sender = nsh.socket_in(src.ns, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    try:
        sender.bind((src.address, 0))
        data = token()
        ident = int.from_bytes(data[-2:], "big")
        sender.sendto(echo_request(ident, 1, data), (dst.address, 0))
        arrived = False
        deadline = time.monotonic() + timeout
        while (wait := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([watch, sender], [], [], wait)
            if watch in ready:
                got = _icmp_of(watch.recv(65535))
                if got == (ICMP_ECHO, ident, data, src.address):
                    arrived = True
            if sender in ready:
                got = _icmp_of(sender.recv(65535))
                if got == (ICMP_ECHO_REPLY, ident, data, dst.address):
                    return Seen(True, True)
        return Seen(arrived, False)
    finally:
        with contextlib.suppress(OSError):
            watch.close()
        sender.close()
