"""Serve the chat: `python app.py` -> http://127.0.0.1:7860 (BOT_HOST / BOT_PORT override).

The UI lives in bot/ui.py; this file only starts it. The index is loaded once, at start.
"""
import sys

from bot.serve.chat import main

if __name__ == "__main__":
    sys.exit(main())
