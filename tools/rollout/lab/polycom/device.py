"""The simulated codec as the lab hosts it: its persistent state plus API sessions."""

from __future__ import annotations

from rollout.lab.polycom.session import PolycomSession
from rollout.lab.polycom.state import CodecState


class PolycomDevice(CodecState):
    """A simulated Group Series codec: `CodecState` that opens API sessions on itself."""

    __slots__ = ()

    def session(self) -> PolycomSession:
        """A new API session on this device."""
        return PolycomSession(self)

    def new_session(self) -> PolycomSession:
        """Same as `session` (the name the lab SSH server asks for)."""
        return PolycomSession(self)
