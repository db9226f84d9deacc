"""The serving side (ingest -> index -> answer -> serve): the HTTP server, its access rules, the chat and the report library.

One concern per module; bot/serve/app.py builds the application from them (README, "How an answer
is made", lists them).
"""
