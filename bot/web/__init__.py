"""The web wing: what the bot shows the outside world about its health (the heartbeat file today;
the HTTP server for webhook, health and metrics belongs here)."""
