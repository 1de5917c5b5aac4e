from videotime_client.cli import main

raise SystemExit(main())
