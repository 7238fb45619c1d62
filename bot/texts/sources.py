"""Texts of polling sources: the command line's `foui-bot poll` output and health reasons."""

POLL_HEADER = "Henter {count} …"
POLL_HEADER_DRY = "Prøver {count} uten å lagre noe …"
POLL_SOURCE_OK = "✓ {name}: {found} funnet, {new} nye, {changed} endret, {closed} avsluttet"
POLL_SOURCE_DRY = "✓ {name}: {found} funnet (ikke lagret)"
POLL_SOURCE_NOT_MODIFIED = "✓ {name}: uendret siden sist (304)"
POLL_SOURCE_FAILED = "✗ {name}: {reason}"
POLL_SOURCE_WARNING = "  ! {warning}"
POLL_CALL = "  {marker} {title}\n      frist: {deadline} · emner: {topics}\n      {url}"
POLL_MARK_NEW = "[ny]"
POLL_MARK_NEW_CLOSED = "[ny, avsluttet]"
POLL_MARK_CHANGED = "[endret]"
POLL_MARK_DEADLINE = "[ny frist, var {old}]"
POLL_MARK_CLOSED = "[avsluttet]"
POLL_MARK_FOUND = "-"
POLL_DEADLINE_ROLLING = "løpende"
POLL_DEADLINE_NONE = "ingen frist funnet"
POLL_NO_TOPICS = "ingen"
POLL_SUMMARY = "Ferdig: {ok} av {total} kilder svarte. {new} nye og {changed} endrede utlysninger."
POLL_NO_SOURCES = "Ingen kilder er satt opp (se FOUI_SOURCES_FILE i README)."
POLL_NEED_KIND = "Oppgi --kind sammen med --url: {kinds}."
POLL_UNKNOWN_KIND = "Ukjent kildetype {kind!r}. Bruk en av: {kinds}."
POLL_NEED_URL = "--kind brukes bare sammen med --url."
SOURCES_FILE_INVALID = "Kildefilen {path} kan ikke brukes; beholder kildene som er i databasen:"
SOURCES_FILE_MISSING = "Fant ikke kildefilen {path} (FOUI_SOURCES_FILE)."
SOURCE_REASON_STORAGE = "feil ved lagring: {error}"
SOURCE_REASON_UNEXPECTED = "uventet feil: {error}"
SOURCE_REASON_NOTHING = "siden ga ingen utlysninger"

# Drift alarms (bot/poll/drift.py): one message to the coordinators, shown in /kilder until fixed or seen.
DRIFT_NOTICE = "⚠️ <b>Kilden «{name}» ser ut til å ha endret seg</b>\n\n{what}\n\n<b>Sjekk:</b> {check}\n\nVarselet står i /kilder til kilden ser normal ut igjen, eller dere kvitterer for det der."
DRIFT_EMPTY = "Før ga den {before} utlysninger; nå ga den ingen."
DRIFT_EMPTY_REASON = "Før ga den {before} utlysninger; nå ga den ingen ({reason})."
DRIFT_NO_DEADLINES = (
    "Ingen av de {fresh} utlysningene den leste nå har en frist boten kunne lese (før: {dated} av {before})."
)
DRIFT_SHAPE = "Utlysningene mangler nå {fields}, som de hadde før."
DRIFT_CHECK_EMPTY = (
    "at adressen {url} fortsatt er siden med utlysningene, og om siden har fått ny oppbygging."
)
DRIFT_CHECK_DEADLINES = "om sidene nå viser «Søknadsfrist» på en ny måte. Åpne en utlysning og se selv."
DRIFT_CHECK_SHAPE = "om siden har fått ny oppbygging. Åpne en utlysning og se selv."
DRIFT_CHECK_TOOL = "Driftsansvarlig kan prøve siden med: foui-bot poll --url {url} --kind {kind} --dry-run"
DRIFT_FIELDS = {
    "status": "status (Søk nå, Planlagt …)",
    "summary": "sammendrag",
    "published": "publiseringsdato",
    "url": "lenke",
    "facts": "opplysninger som hvem kan søke",
}
KI_DRIFT_LINE = "\n    ⚠️ Endret? {text}"
KI_DRIFT_CARD = "\n\n⚠️ <b>Varsel</b> ({when}): {text}"
BTN_KI_DRIFT_ACK = "✔️ Sett, fjern varselet"
KI_DRIFT_ACKED = "Varselet om «{name}» er fjernet. Kommer det en ny slags endring, får dere et nytt."
KI_DRIFT_NONE = "Den kilden har ikke noe varsel nå."

# The `web` kind in «Legg til kilde» (handlers/source_web.py).
KI_WEB_ASK = (
    "Hvilke deler av siden er utlysninger? Skriv en CSS-velger for ett element per utlysning, og "
    "gjerne velgere for tittel, lenke og frist inni det, én per linje:\n"
    "<code>utlysning: .card</code>\n<code>tittel: h3</code>\n<code>lenke: a</code>\n<code>frist: .frist</code>\n"
    "Bare den første er nødvendig. Du får se hva boten finner før noe lagres."
)
KI_WEB_BAD_LINE = "Forstod ikke linjen «{line}». Skriv for eksempel <code>tittel: h3</code>."
KI_WEB_NO_ITEMS = "Skriv minst velgeren for utlysningene, for eksempel <code>utlysning: .card</code>."
KI_WEB_NOTHING = "Fant ingenting med de velgerne: {reason}\nPrøv andre velgere (eller avbryt)."
KI_WEB_PREVIEW = (
    "✅ Med de velgerne finner boten {found} utlysninger, for eksempel:\n{examples}\n\n"
    "Ser det riktig ut? Trykk «Ja, bruk disse». Ellers: skriv nye velgere."
)
BTN_KI_WEB_OK = "✅ Ja, bruk disse"
KI_WEB_ASK_NAME = "Trinn 3 av 4: Hva skal kilden hete? For eksempel «Lom kommune – tilskudd»."
KI_WEB_EXAMPLE = "• <b>{title}</b>\n   frist: {deadline}\n   {link}"
KI_WEB_NO_DEADLINE = "ingen funnet"
KI_WEB_ROLLING = "løpende"
