"""The Telegram side of the intake bot and the `intake` command line."""

import os

# python-telegram-bot 22 moves time spans to timedelta; opt in now (our code reads both) and skip its warnings.
os.environ.setdefault("PTB_TIMEDELTA", "1")
