"""The network lab: a site's conference path in Linux network namespaces, and the proofs run on it.

Everything here needs root (namespaces, veth, tc, nftables). Every namespace it makes is named
``rl<lab id>-...`` (``rollout.netlab.names``) and recorded in a state file before it is made, so
``rollout netlab down`` removes it even after a crash, and only its own lab's.
"""
