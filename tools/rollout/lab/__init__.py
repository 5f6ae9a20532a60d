"""The lab twin: simulated devices that speak real SSH and the real device CLI/API."""
