"""Run the Telegram sandbox standalone: ``python -m sandbox --port 8081``.

Point a bot at it with ``TelegramAPIServer.from_base("http://127.0.0.1:8081")``; every
call is logged.  Stop with Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from .server import Sandbox

logger = logging.getLogger(__name__)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Local stand-in for the Telegram Bot API"
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port (default 8081, 0 = any)")
    parser.add_argument("--token", default=None, help="accept only this bot token")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay per reply")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="extra random delay")
    parser.add_argument("--no-limits", action="store_true", help="disable flood limits")
    parser.add_argument("--global-rate", type=float, default=30.0, help="sends per second")
    parser.add_argument(
        "--strict", action="store_true", help="sliding windows at arrival, ±30%% jitter"
    )
    parser.add_argument("--storm-every", type=float, default=0.0, help="mean s between 429 storms")
    parser.add_argument("--storm-seconds", type=float, default=3.0, help="length of a 429 storm")
    parser.add_argument("--fail-5xx", type=float, default=0.0, help="share of sends answered 502")
    parser.add_argument("--quiet", action="store_true", help="do not log every call")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Run until SIGINT/SIGTERM."""
    sandbox = Sandbox(
        token=args.token,
        latency_ms=args.latency_ms,
        limits=not args.no_limits,
        global_rate=args.global_rate,
        jitter_ms=args.jitter_ms,
        log_calls=not args.quiet,
        strict=args.strict,
        storm_every=args.storm_every,
        storm_seconds=args.storm_seconds,
    )
    if args.fail_5xx > 0:
        sandbox.fail("sendMessage", error="502", times=None, probability=args.fail_5xx)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    url = await sandbox.start(args.host, args.port)
    logger.info(
        "Bot API sandbox at %s (limits %s, latency %g ms)",
        url,
        ("strict" if sandbox.strict else "on") if sandbox.limits else "off",
        args.latency_ms,
    )
    try:
        await stop.wait()
    finally:
        await sandbox.stop()
        logger.info("stopped; stats: %s", sandbox.stats)


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
