"""The serving side: settings and keys, rate limits, admin sign-in, the REST, OpenAI-compatible and library routes, the chat and the admin page."""
