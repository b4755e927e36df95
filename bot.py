#!/usr/bin/env python3
"""The one entry point: `python bot.py` (Telegram, or the console chat without a token)."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
