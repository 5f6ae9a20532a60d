"""rollout: infrastructure as code for a provincial video-conference network."""

__version__ = "0.1.0"
