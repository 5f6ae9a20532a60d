"""The intent of a cloud meeting room client (templates/vmeeting/room_client.j2): the profile
rollout checks the client against (it has no configuration interface to push to)."""

from __future__ import annotations

from dataclasses import dataclass

from rollout.intent.base import DeviceIntent, identity
from rollout.inventory.loader import Inventory
from rollout.inventory.model import RoomClient, Site


@dataclass(frozen=True, kw_only=True)
class RoomClientIntent(DeviceIntent):
    cloud_name: str
    cloud_dscp: str
    room_id: str
    display_name: str
    bandwidth_kbps: int
    address: str


def room_client_intent(inv: Inventory, site: Site, dev: RoomClient) -> RoomClientIntent:
    cloud = inv.province.cloud
    return RoomClientIntent(
        **identity(inv, site, dev),
        cloud_name=cloud.name,
        cloud_dscp=cloud.dscp,
        room_id=dev.room_id,
        display_name=dev.display_name,
        bandwidth_kbps=dev.bandwidth_kbps,
        address=dev.mgmt_address,
    )
