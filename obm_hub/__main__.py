from obm_hub.cli import main

raise SystemExit(main())
