"""``python -m tsrm``: the same command line as the ``tsrm`` script."""

from tsrm.cli import main

raise SystemExit(main())
