"""python -m bot → the `loa` command line."""

from bot.cli import main

main()
