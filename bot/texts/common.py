"""Texts shared by the whole bot, and the command line."""

NO_TOKEN = (
    "FoUI-boten mangler bot-token.\n"
    "1. Åpne Telegram og skriv til @BotFather: /newbot, og følg instruksjonene.\n"
    "2. Legg tokenet i miljøvariabelen FOUI_BOT_TOKEN, eller i filen .env i denne mappen:\n"
    "   FOUI_BOT_TOKEN=123456789:ABC...\n"
    "3. Start igjen med: make run (eller foui-bot run).\n"
    "Vil du prøve boten uten token? Kjør: foui-bot console"
)
SETTINGS_INVALID_HEADER = "FoUI-boten kan ikke starte fordi innstillingene er ugyldige:"
MIGRATED = "Databasen er oppdatert ({url})."
DATABASE_UNREACHABLE = "Får ikke kontakt med databasen ({url}): {reason}"
STARTING_POLLING = "FoUI-boten starter (long polling). Stopp med Ctrl+C."
STARTING_WEBHOOK = "FoUI-boten starter med webhook på {url}."

ERROR_GENERIC = "Beklager, noe gikk galt hos meg. Prøv igjen om litt – feilen er logget."
