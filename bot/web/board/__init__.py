"""The public notice board: /w/<ward> (recent notices), /w/<ward>/feed.atom, /w/<ward>/n/<id>
(one notice, printable on A4 with a QR code to its web copy)."""

from bot.web.board.pages import add_board_routes

__all__ = ["add_board_routes"]
