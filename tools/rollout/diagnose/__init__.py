"""`rollout diagnose`: evidence per segment, then the cause (docs/diagnose.md)."""
