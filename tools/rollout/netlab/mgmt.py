"""The routers' management: a veth to this machine per router, the router's own sshd (public
key only, the admin key the lab authorizes), its host key into the lab's known_hosts."""

from __future__ import annotations

from pathlib import Path

from rollout.netlab import ns as nsh
from rollout.netlab.access import SSH_USER
from rollout.netlab.build import start, sysctl
from rollout.netlab.names import mgmt_addresses
from rollout.netlab.state import SSHD_DIR, NetlabState, authorized_dir

MGMT_TABLE = "200"


def authorize(state: NetlabState, public: str) -> None:
    """The admin's public key, for every router's sshd (only from the management range)."""
    folder = authorized_dir(state.names)
    state.paths.append(str(folder))
    state.save()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    keys = folder / "authorized_keys"
    options = f'from="{state.mgmt_block}",no-agent-forwarding,no-port-forwarding,no-X11-forwarding'
    keys.write_text(f"{options} {public}\n", encoding="utf-8")
    keys.chmod(0o600)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder


def up_mgmt(state: NetlabState, slug: str, index: int) -> None:
    """The management link to the router and its sshd; the host key into known_hosts."""
    rtr = state.names.rtr(slug)
    here, there = mgmt_addresses(state.mgmt_block, index)
    link = state.names.link(index)
    state.links.append(link)
    state.save()
    nsh.run(["ip", "link", "add", link, "type", "veth", "peer", "name", "mgmt0", "netns", rtr])
    Path(f"/proc/sys/net/ipv4/conf/{link}/forwarding").write_text("0\n")
    nsh.run(["ip", "addr", "add", f"{here}/31", "dev", link])
    nsh.run(["ip", "link", "set", "dev", link, "up"])
    # On the router the /31 lives in its own table, used only by the management address:
    # nothing the router forwards (LAN, WAN) can reach this machine through it.
    nsh.run(["ip", "addr", "add", f"{there}/31", "dev", "mgmt0", "noprefixroute"], ns=rtr)
    nsh.run(["ip", "link", "set", "dev", "mgmt0", "up"], ns=rtr)
    sysctl(rtr, "net.ipv4.conf.mgmt0.forwarding=0")
    nsh.run(
        ["ip", "route", "add", f"{here}/31", "dev", "mgmt0", "src", there, "table", MGMT_TABLE],
        ns=rtr,
    )
    nsh.run(["ip", "rule", "add", "from", there, "lookup", MGMT_TABLE, "pref", "50"], ns=rtr)
    folder = Path(state.folder) / SSHD_DIR / slug
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    host_key = folder / "ssh_host_ed25519_key"
    nsh.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", rtr, "-f", str(host_key)])
    config = folder / "sshd_config"
    keys = authorized_dir(state.names) / "authorized_keys"
    config.write_text(sshd_config(there, host_key, folder / "sshd.pid", keys), encoding="utf-8")
    start(
        state,
        f"sshd-{slug}",
        rtr,
        ["/usr/sbin/sshd", "-D", "-e", "-f", str(config)],
        folder / "sshd.pid",
    )
    kind, blob = host_key.with_suffix(".pub").read_text(encoding="utf-8").split()[:2]
    with state.known_hosts.open("a", encoding="utf-8") as known:
        known.write(f"{there} {kind} {blob}\n")
    state.sites[slug].mgmt = there
    state.save()


def sshd_config(address: str, host_key: Path, pid_file: Path, authorized: Path) -> str:
    return f"""# Managed by rollout netlab: the site router's management sshd.
ListenAddress {address}
HostKey {host_key}
PidFile {pid_file}
AuthorizedKeysFile {authorized}
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
HostbasedAuthentication no
PermitRootLogin prohibit-password
AllowUsers {SSH_USER}
StrictModes yes
UsePAM no
UseDNS no
PermitUserEnvironment no
AllowAgentForwarding no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
"""
