"""The floor: a bare Bolt AsyncApp whose handlers only ack, served the same way as Parley."""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build(api_url: str, token: str, secret: str) -> AsyncApp:
    app = AsyncApp(client=AsyncWebClient(token=token, base_url=api_url), signing_secret=secret)

    @app.command("/dispute")
    async def command(ack: Any) -> None:
        await ack()

    @app.action("dispute_note")
    async def button(ack: Any) -> None:
        await ack()

    @app.event("message")
    async def message(ack: Any) -> None:
        await ack()

    @app.event("app_home_opened")
    async def home(ack: Any) -> None:
        await ack()

    return app


async def main(port: int, api_url: str, token: str, secret: str) -> None:
    runner = web.AppRunner(build(api_url, token, secret).web_app(path="/slack/events"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    asyncio.run(main(args.port, args.api_url, args.token, args.secret))
