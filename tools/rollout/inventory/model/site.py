"""A site file: the WAN link, VLANs, conference and the site's devices."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from rollout.inventory.model.base import (
    Address,
    Code,
    Hostname,
    IfName,
    Kbps,
    Level,
    Model,
    Network,
    Platform,
    Role,
    Slug,
    VlanId,
)
from rollout.inventory.model.province import DNS_SERVERS_MAX, FlowRow, distinct


class Wan(Model):
    provider: str
    rate_kbps: Kbps = Field(
        description="contracted rate; the shaper sends at qos.shape_percent of it"
    )
    port_kbps: Kbps = 1_000_000
    link: Network = Field(
        description="the /30 (provider .1, site .2) or /31 (RFC 3021: provider the lower "
        "address, site the higher) towards the provider edge"
    )

    @model_validator(mode="after")
    def _rate(self) -> Wan:
        if self.rate_kbps > self.port_kbps:
            raise ValueError(
                f"rate_kbps {self.rate_kbps} exceeds port_kbps {self.port_kbps}: the contracted "
                "rate cannot be above the port speed"
            )
        if ipaddress.ip_network(self.link).prefixlen not in (30, 31):
            raise ValueError(f"link {self.link} must be a /30 or /31")
        return self


class Vlan(Model):
    id: VlanId
    name: Slug
    subnet: Network


class Conference(Model):
    simultaneous_video_calls: Annotated[int, Field(ge=0, le=64)] = 1
    call_rate_kbps: Annotated[int, Field(ge=64, le=8192)] = 2048


class DeviceBase(Model):
    hostname: Hostname
    model: str
    mgmt_address: Address


class Router(DeviceBase):
    role: Literal[Role.WAN_ROUTER]
    platform: Literal[Platform.CISCO_IOS, Platform.LINUX_ROUTER] = Platform.CISCO_IOS
    wan_interface: IfName
    lan_interface: IfName


class Switch(DeviceBase):
    role: Literal[Role.LAN_SWITCH]
    platform: Literal[Platform.CISCO_IOS] = Platform.CISCO_IOS
    uplink: IfName
    codec_port: IfName
    room_client_port: IfName


class Codec(DeviceBase):
    role: Literal[Role.CODEC]
    platform: Literal[Platform.POLYCOM] = Platform.POLYCOM
    display_name: Annotated[str, Field(min_length=1, max_length=64)]
    e164: Annotated[str, Field(pattern=r"^\d{3,15}$")]
    gatekeeper: Slug
    registrar: Slug
    call_rate_kbps: Annotated[int, Field(ge=64, le=8192)] = 2048


class RoomClient(DeviceBase):
    role: Literal[Role.ROOM_CLIENT]
    platform: Literal[Platform.VMEETING] = Platform.VMEETING
    room_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{2,40}$")]
    display_name: Annotated[str, Field(min_length=1, max_length=64)]
    bandwidth_kbps: Kbps


Device = Annotated[Router | Switch | Codec | RoomClient, Field(discriminator="role")]


class Site(Model):
    slug: Slug
    name: Annotated[str, Field(min_length=1)]
    code: Code
    level: Level
    block: Network = Field(description="the site's LAN block, carved into its VLANs")
    loopback: Network
    wan: Wan
    conference: Conference = Conference()
    vlans: Annotated[list[Vlan], Field(min_length=1)]
    devices: Annotated[list[Device], Field(min_length=1)]
    flows: list[FlowRow] = Field(
        default_factory=list, description="conversations this site needs beyond the province's"
    )
    dns_servers: (
        Annotated[list[Address], Field(max_length=DNS_SERVERS_MAX), AfterValidator(distinct)] | None
    ) = Field(default=None, description="the site's own resolvers instead of the province's")
    # Fields still holding a stand-in value (marked by hand: `rollout new-site` writes the
    # register's code); a live run refuses the site until the field is set and removed here.
    placeholders: list[Literal["code"]] = Field(default_factory=list)

    def device(self, role: Role) -> Router | Switch | Codec | RoomClient | None:
        return next((d for d in self.devices if d.role == role), None)

    def resolvers(self, province: list[str]) -> list[str]:
        """The DNS servers of the site: its own when its file names them, else the province's."""
        return list(province) if self.dns_servers is None else list(self.dns_servers)

    def vlan(self, name: str) -> Vlan | None:
        return next((v for v in self.vlans if v.name == name), None)
