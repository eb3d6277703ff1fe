"""obm-hub: the command line entry point."""
