"""Texts of the HTTP server and of running several processes (for the operator, on stderr)."""

ALREADY_POLLING = (
    "En annen FoUI-bot henter allerede meldinger med long polling for denne boten på samme database. "
    "Telegram tillater bare én slik prosess per bot-token. Stopp den andre, eller kjør flere kopier "
    "med webhook (FOUI_WEBHOOK_URL) bak en lastbalanserer."
)
POLLING_CONFLICT = (
    "Telegram svarer at en annen prosess allerede henter meldinger for denne boten (409 Conflict). "
    "Bare én prosess per bot-token kan bruke long polling: stopp den andre, eller bruk webhook "
    "(FOUI_WEBHOOK_URL) for å kjøre flere kopier."
)
HTTP_CANNOT_LISTEN = (
    "FoUI-boten kan ikke lytte på {listen}:{port} ({reason}). Er porten i bruk av et annet program? "
    "Velg en annen med FOUI_HTTP_PORT (0 slår HTTP-serveren av i long polling-modus)."
)
