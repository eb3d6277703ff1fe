"""The sync engine: the canonical model, and (in later modules) the link store, planner and applier."""
