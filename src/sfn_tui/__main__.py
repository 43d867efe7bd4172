import sys

from sfn_tui.cli import main

sys.exit(main())
