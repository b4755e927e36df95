"""Core of the Netralitas ASN assistant: knowledge base, matching, rendering, reports, admin.

Nothing in this package imports `telegram`: the console, the CLI, the tests and the Telegram
handlers all drive the same use cases.
"""

import sys

# sqlite-utils imports numpy whenever it is installed (matplotlib brings it), only to store
# numpy values, which this bot never does; that costs ~12 MB of RSS in every process. Hide
# numpy during that one import; the statistics chart still imports it when it draws.
if "numpy" not in sys.modules and "sqlite_utils" not in sys.modules:
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]
