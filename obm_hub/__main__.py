from obm_hub.cli import app

raise SystemExit(app())
