"""The web wing: the bot's one HTTP server (``server``: routes and mounts), ``/healthz`` (``health``),
``/metrics`` (``metrics``), the webhook (``webhook``), and the heartbeat file (``heartbeat``). It
knows no other wing: the composition root (``bot.endpoints``) registers what each wing reports."""
