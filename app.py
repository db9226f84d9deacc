"""Serve the chat and the APIs: `python app.py` -> http://127.0.0.1:7860 (BOT_HOST / BOT_PORT override).

The same server as `bot serve` (bot/serve/app.py builds it); the index is loaded once, at start.
"""
import sys

from bot.serve.app import main

if __name__ == "__main__":
    sys.exit(main())
