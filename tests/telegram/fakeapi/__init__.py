"""The parts of the fake Telegram Bot API server; tests import it from
``tests.telegram.fake_bot_api``, which assembles ``FakeBotApi`` from these mixins and holds
``ThreadedFakeBotApi``, its blocking wrapper for bots running as subprocesses.

- ``wire``: what travels on the wire (method names, form-field decoding, ``Call``, ``ApiError``).
- ``htmlparse``: Telegram HTML parsing into plain text and entities (``parse_html``).
- ``server``: the server's state, lifecycle, HTTP routes and getUpdates long polling.
- ``methods``: the Bot API methods the bot calls (sendMessage, editMessageText, ...).
- ``chats``: chats the bot may not reach and roles in groups (getChat, getChatMember).
- ``polls``: sendPoll / stopPoll, poll updates, and chats that blocked the bot.
- ``updates``: building users and chats and injecting updates.
- ``waiting``: inspecting recorded calls and waiting for what the bot does.
"""
