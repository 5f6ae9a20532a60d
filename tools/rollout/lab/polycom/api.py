"""The Group Series API's fixed words: prompt, error and state replies, and their sources.

Every entry names its public source by a key of `SOURCES`; docs/codec.md lists what no
source confirms.
"""

from __future__ import annotations

from collections.abc import Mapping

SOURCES: Mapping[str, str] = {
    "gs-avispl": "AVISPL/dal-codecs-singlecodecs-polycom-realpresence-groupseries "
    "PolycomGroupSeries.java (Group Series SSH driver: replies and errors)",
    "g7500-x30": "Symphony adapter com.insightsystems.dal.poly.x30 (G7500 API reference)",
    "mividas-hdx": "Python provider PolyHDXProviderAPI (systemsetting get sipusername, ...)",
    "hdx-api": "incu6us/POLYCOM polycom-api/src/main/java/polycom/api/commands/*.java "
    "(HDX API wrappers with the Integrator's Reference text)",
    "vs-api": "AI4AV spec admin/polycom-vs4000 (ViewStation API guide)",
    "gs-ai4av": "AI4AV spec admin/polycom-group-series (Group Series integrator reference)",
    "unconfirmed": "no public source found (docs/codec.md 'Unconfirmed')",
}
"""Where each simulated behaviour comes from (the ``source`` column of the tables)."""

PROMPT = "-> "

# Error replies. 'not found' and 'needs more parameters' are matched by a public Group Series
# driver (SOURCES["gs-avispl"]); the 'illegal parameters' text is unconfirmed (docs/codec.md).
ERR_NOT_FOUND = "error: command not found"
ERR_ILLEGAL = "error: command has illegal parameters"
ERR_MORE_PARAMS = "error: command needs more parameters to execute successfully"

# State replies, all in the success list of SOURCES["gs-avispl"] ('system is not in a call',
# 'dialing manual', 'hanging up all', 'hanging up video', 'connection * is not active').
NOT_IN_CALL = "system is not in a call"
DIALING = "dialing manual"
HANGING_UP_ALL = "hanging up all"
HANGING_UP_VIDEO = "hanging up video"


def connection_not_active(index: int) -> str:
    """The reply of ``netstats``/``advnetstats`` for a connection without a call."""
    return f"connection {index} is not active"


SESSION_END: Mapping[str, str] = {
    "exit": "hdx-api",  # Exit.java
    "bye": "unconfirmed",
}
"""Commands that end the API session (no reply), with their sources."""
