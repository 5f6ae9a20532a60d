"""A Cisco IOS 15.x command-line simulator (no SSH): devices, sessions, rules as data."""
