"""The SIP side of the lab: kamailio as the hub's registrar/proxy (standing in for the MCU's
front), sipp as the MCU (answers, echoes RTP) and as the site codec (registers, calls).

Signalling goes over the transport the codec is rendered with (``province.sip_transport``):

- kamailio listens on UDP and, for ``tcp``, on TCP too: the core parameter ``listen`` takes
  ``proto:address:port`` (Kamailio core cookbook, "listen", e.g. ``listen=tcp:127.0.0.1:5060``:
  https://kamailio.org/wiki/_export/xhtml/cookbooks/devel/core); calls to the MCU are relayed
  with ``;transport=tcp``.
- sipp takes ``-t t1`` for "TCP with one socket" and ``-t u1`` for "UDP with one socket", its
  default (sipp 3.6.1 ``sipp -h``; the same text in the sip-tester 3.6.1 manual page:
  https://manpages.ubuntu.com/manpages/lunar/man1/sipp.1.html).
- ``tls`` is not emulated: the lab has no certificates for it (see docs/verify.md).

The MCU's media: ``-mp`` "Set the local RTP echo port number", ``-rtp_echo`` echoes what arrives
there and on that port + 2 (the same manual page); the lab picks the port inside the MCU's own
range (``media.mcu_udp``), as the real MCU does (RealPresence Collaboration Server Administrator's
Guide, IP Network Services, "Ports" tab: the UDP port range for audio and video, by default within
IANA's 49152-65535).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from rollout.netlab.ns import NetlabError

KAMAILIO_MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")
MCU_USER = "mcu"
SIP_PORT = 5060
# province.sip_transport -> sipp's -t mode (sipp -h, "Set the transport mode")
SIPP_TRANSPORT = {"udp": "u1", "tcp": "t1"}


def sipp_transport(transport: str) -> str:
    """sipp's ``-t`` value for the province's SIP transport, or a NetlabError naming the fix."""
    mode = SIPP_TRANSPORT.get(transport)
    if mode is None:
        raise NetlabError(
            f"the network lab speaks SIP over udp or tcp, not {transport!r}",
            "inventory/province.yml: sip_transport: tcp (or udp) to prove a site in the lab",
        )
    return mode


def mcu_media_port(first: int, last: int) -> int:
    """The MCU's RTP echo port: an even port in the middle of its media range (RTP takes even
    ports, RTCP the next odd one, RFC 3550 section 11), with sipp's video port (+ 2) and its RTCP
    (+ 3) inside the range too."""
    port = (first + last) // 2
    port -= port % 2
    while port + 3 > last:
        port -= 2
    if port < first:
        raise NetlabError(
            f"the MCU's media range {first}-{last} is too small for audio and video",
            "inventory/province.yml: media: mcu_udp: {first: ..., last: ...}",
        )
    return port


def kamailio_cfg(listen: str, mcu: str, transport: str = "udp") -> str:
    """Registrar (usrloc in memory) and proxy; calls to 'mcu' go to the MCU over the province's
    transport; Record-Route on."""
    sipp_transport(transport)
    tcp = f"listen=tcp:{listen}:{SIP_PORT}\n" if transport == "tcp" else ""
    to_mcu = f"sip:{mcu}:{SIP_PORT}" + (";transport=tcp" if transport == "tcp" else "")
    return f"""#!KAMAILIO
# Managed by rollout netlab: the hub's SIP registrar and proxy.
debug=1
log_stderror=yes
fork=yes
children=2
listen=udp:{listen}:{SIP_PORT}
{tcp}mpath="{KAMAILIO_MODULES}/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
modparam("usrloc", "db_mode", 0)
modparam("rr", "enable_full_lr", 1)

request_route {{
    if (!mf_process_maxfwd_header("10")) {{
        sl_send_reply("483", "Too Many Hops");
        exit;
    }}
    if (has_totag()) {{
        if (loose_route()) {{
            t_relay();
            exit;
        }}
        if (is_method("ACK")) {{
            if (t_check_trans()) {{
                t_relay();
            }}
            exit;
        }}
        sl_send_reply("404", "Not here");
        exit;
    }}
    if (is_method("CANCEL")) {{
        if (t_check_trans()) {{
            t_relay();
        }}
        exit;
    }}
    if (is_method("REGISTER")) {{
        save("location");
        exit;
    }}
    if (is_method("INVITE|SUBSCRIBE")) {{
        record_route();
    }}
    if ($rU == "{MCU_USER}") {{
        $du = "{to_mcu}";
        t_relay();
        exit;
    }}
    if (!lookup("location")) {{
        sl_send_reply("404", "Not Found");
        exit;
    }}
    t_relay();
}}
"""


# The MCU's side: sipp's embedded "uas" scenario (``sipp -sd uas``, sipp 3.6.1) plus the
# Record-Route copy a UAS owes in its responses that make a dialog (RFC 3261 section 12.1.1), so
# the codec's ACK and BYE follow the proxy's route; media on the MCU's -mp port.
MCU_SCENARIO = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- Managed by rollout netlab: the MCU answers, echoes media, hangs up when asked. -->
<scenario name="rollout MCU">
  <recv request="INVITE" crlf="true" />
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_Record-Route:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_Record-Route:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=mcu 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000

    ]]>
  </send>
  <recv request="ACK" optional="true" crlf="true" />
  <recv request="BYE" />
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <timewait milliseconds="4000" />
</scenario>
"""


UAC_SCENARIO = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- Managed by rollout netlab: the site codec registers, calls the MCU, holds, hangs up. -->
<scenario name="rollout codec register and call">
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[service]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:[service]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Expires: 300
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" />
  <send retrans="500">
    <![CDATA[
      INVITE sip:mcu@[remote_ip] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[service]@[remote_ip]>;tag=[pid]SIPpTag01[call_number]
      To: <sip:mcu@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 2 INVITE
      Contact: <sip:[service]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=codec 1 1 IN IP4 [local_ip]
      s=rollout
      c=IN IP4 [local_ip]
      t=0 0
      m=audio MEDIA_PORT RTP/AVP 8
      a=rtpmap:8 PCMA/8000
      a=ptime:20

    ]]>
  </send>
  <recv response="100" optional="true" />
  <recv response="180" optional="true" />
  <recv response="183" optional="true" />
  <recv response="200" rrs="true" />
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[service]@[remote_ip]>;tag=[pid]SIPpTag01[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: 2 ACK
      Contact: <sip:[service]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="HOLD_MS" />
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[service]@[remote_ip]>;tag=[pid]SIPpTag01[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: 3 BYE
      Contact: <sip:[service]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" />
</scenario>
"""


def uac_scenario(media_port: int, hold_ms: int) -> str:
    return UAC_SCENARIO.replace("MEDIA_PORT", str(media_port)).replace("HOLD_MS", str(hold_ms))


@dataclass(frozen=True)
class CallResult:
    ok: bool
    detail: str


def sipp_call(
    ns: str,
    scenario: Path,
    local_ip: str,
    registrar: str,
    user: str,
    timeout_s: int,
    log: Path,
    transport: str = "udp",
) -> CallResult:
    """Run the codec scenario once (REGISTER, INVITE, ACK, hold, BYE) over the transport;
    ok when sipp says so."""
    cmd = [
        "ip",
        "netns",
        "exec",
        ns,
        "sipp",
        "-sf",
        str(scenario),
        "-i",
        local_ip,
        "-p",
        str(SIP_PORT),
        "-t",
        sipp_transport(transport),
        "-s",
        user,
        "-m",
        "1",
        "-l",
        "1",
        "-timeout",
        f"{timeout_s}s",
        "-timeout_error",
        "-default_behaviors",
        "all,-abortunexp",
        "-nostdin",
        "-trace_err",
        "-error_file",
        str(log),
        f"{registrar}:{SIP_PORT}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout_s + 10)
    if proc.returncode == 0:
        return CallResult(
            True, f"registered; call answered, held, hung up (SIP over {transport.upper()})"
        )
    errors = log.read_text(errors="replace")[-600:] if log.exists() else ""
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
    return CallResult(False, f"sipp exit {proc.returncode}: {' '.join(tail)} {errors}".strip())
