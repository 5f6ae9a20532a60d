"""`rollout verify SITE` on Cisco/Polycom sites (live devices or the lab twin): the router's
IP SLA probes per class and a short test call on the codec, judged against the province's
thresholds. ``probes`` reads the router, ``call`` the codec, ``site`` puts both together."""
