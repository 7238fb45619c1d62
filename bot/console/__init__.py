"""The console wing: the bot in a terminal (``foui-bot console`` and ``foui-bot frister``), driven
in-process through its own Bot API stand-in, without a token."""
