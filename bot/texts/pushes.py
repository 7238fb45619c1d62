"""Texts of pushes: new calls, changed deadlines, reminders, digests, the weekly overview, events."""

ALREADY_RUNNING = (
    "FoUI-boten kjører allerede mot databasen {database} (prosess {pid}).\n"
    "To kopier på samme SQLite-fil kunne sendt meldinger dobbelt, så denne starter ikke.\n"
    "Stopp den andre først – eller bruk PostgreSQL (FOUI_DATABASE_URL) for å kjøre flere prosesser."
)
