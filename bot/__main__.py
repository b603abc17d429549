"""python -m bot → the `loa` command line."""

from bot.cli.main import main

main()
