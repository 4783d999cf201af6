"""`python -m bot` is the `intake` command line."""

from bot.cli import main

main()
