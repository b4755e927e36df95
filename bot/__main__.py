"""`python -m bot`: the same entry point as `python bot.py` (useful for an installed package)."""

import sys

from bot.cli import main

sys.exit(main())
