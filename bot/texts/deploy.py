"""Texts of starting and setting up the bot: start errors for the operator, /oppsett and /koordinatorer."""

# ---- start errors (stderr, one or two lines each; never a traceback, never the token) -----------
TOKEN_REJECTED = (
    "Telegram avviste bot-tokenet (FOUI_BOT_TOKEN). Sjekk at tokenet fra @BotFather er skrevet helt "
    "og ikke er trukket tilbake (/revoke), og FOUI_TELEGRAM_API_URL hvis du har endret den."
)
TELEGRAM_UNREACHABLE = "Får ikke kontakt med Telegram ({reason}). Prøver igjen om {seconds} s."
TELEGRAM_REFUSED = "Telegram svarte ikke som ventet ({reason}). Sjekk FOUI_TELEGRAM_API_URL."
DATABASE_DOWN = (
    "Får ikke kontakt med databasen ({url}): {reason}.\n"
    "Sjekk at databaseserveren kjører og at vert og port i FOUI_DATABASE_URL stemmer."
)
DATABASE_MISSING = (
    "Databasen i FOUI_DATABASE_URL ({url}) finnes ikke eller kan ikke åpnes: {reason}.\n"
    "Opprett den (PostgreSQL: createdb), eller rett navnet eller stien."
)
DATABASE_READ_ONLY = (
    "Databasen ({url}) kan bare leses, ikke skrives: {reason}.\n"
    "Gi brukeren som kjører boten skrivetilgang til filen og mappen den ligger i."
)
DATABASE_DENIED = (
    "Databasen ({url}) slapp ikke boten inn: {reason}.\nSjekk brukernavn og passord i FOUI_DATABASE_URL."
)
DATABASE_FAILED = "Databasen ({url}) kunne ikke tas i bruk: {reason}."
SOURCES_FILE_UNUSABLE = "FoUI-boten starter ikke: kildefilen i FOUI_SOURCES_FILE kan ikke brukes.\n  {reason}"
UNEXPECTED_STOP = (
    "FoUI-boten stoppet på grunn av en uventet feil: {reason}\n"
    "Start med FOUI_LOG_LEVEL=DEBUG for å se detaljene i loggen."
)
SOURCES_FILE_NOT_UTF8 = "Kildefilen {path} er ikke UTF-8-tekst; lagre den som UTF-8."
