"""`python -m bot` is the `intake` command line."""

from bot.cli.main import main

main()
