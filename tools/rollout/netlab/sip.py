"""The SIP side of the lab: kamailio as the hub's registrar/proxy (standing in for the MCU's
front), sipp as the MCU (answers, echoes RTP) and as the site codec (registers, calls)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

KAMAILIO_MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")
MCU_USER = "mcu"


def kamailio_cfg(listen: str, mcu: str) -> str:
    """Registrar (usrloc in memory) and proxy; calls to 'mcu' go to the MCU; Record-Route on."""
    return f"""#!KAMAILIO
# Managed by rollout netlab: the hub's SIP registrar and proxy.
debug=1
log_stderror=yes
fork=yes
children=2
listen=udp:{listen}:5060
mpath="{KAMAILIO_MODULES}/"
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
        $du = "sip:{mcu}:5060";
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
) -> CallResult:
    """Run the codec scenario once (REGISTER, INVITE, ACK, hold, BYE); ok when sipp says so."""
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
        "5060",
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
        f"{registrar}:5060",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout_s + 10)
    if proc.returncode == 0:
        return CallResult(True, "registered; call answered, held, hung up")
    errors = log.read_text(errors="replace")[-600:] if log.exists() else ""
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
    return CallResult(False, f"sipp exit {proc.returncode}: {' '.join(tail)} {errors}".strip())
