"""Texts of pushes: new calls, changed deadlines, reminders, digests, the weekly overview, events."""

ALREADY_RUNNING = (
    "FoUI-boten kjører allerede mot databasen {database} (prosess {pid}).\n"
    "To kopier på samme SQLite-fil kunne sendt meldinger dobbelt, så denne starter ikke.\n"
    "Stopp den andre først – eller bruk PostgreSQL (FOUI_DATABASE_URL) for å kjøre flere prosesser."
)

# A new call. Placeholders are html.escape'd by bot/notify.py.
NEW_CALL = "🆕 <b>Ny utlysning</b>\n{title}\n\n{details}"
CALL_TITLE_LINK = '<a href="{url}">{title}</a>'
CALL_TITLE_PLAIN = "<b>{title}</b>"
CALL_SOURCE = "Kilde: {source}"
CALL_DEADLINE = "Frist: {deadline} ({left})"
CALL_DEADLINE_ROLLING = "Frist: løpende (ingen fast frist)"
CALL_DEADLINE_NONE = "Frist: ikke oppgitt"
CALL_TOPICS = "Emner: {topics}"
CALL_KEYWORD = "Treff på varselet ditt: {keyword}"

BUTTON_CALENDAR = "📅 Legg i kalender"
BUTTON_MUTE = "🔕 Ikke interessert"
BUTTON_UNMUTE = "🔔 Angre"

# A changed deadline, to those who were told of the call.
DEADLINE_CHANGED = "✏️ <b>Fristen er endret:</b> {title}\n\nNy frist: {new}\nTidligere frist: {old}"
# The first of two rounds has passed: the call's deadline is now the next round's.
DEADLINE_NEXT_ROUND = (
    "📌 <b>Ny søknadsrunde:</b> {title}\n\nNeste frist: {new}\nForrige runde hadde frist {old}."
)
DEADLINE_CHANGED_ROLLING = "løpende"
DEADLINE_CHANGED_NONE = "ikke oppgitt"

# A reminder before a deadline.
REMINDER = "⏰ <b>Påminnelse: fristen er {left}</b>\n{title}\n\nFrist: {deadline}\n{source}"

# Digests: what is new since the last one.
DIGEST_DAILY = "📬 <b>Nye utlysninger siste døgn</b> ({count})"
DIGEST_WEEKLY = "📬 <b>Nye utlysninger siste uke</b> ({count})"
DIGEST_ITEM = "• {title}\n  {deadline} · {source}"
DIGEST_FOOTER = "Vil du heller få varsler med en gang? Bruk /innstillinger."

# The network group's weekly overview, Mondays.
WEEKLY_OVERVIEW = "🗓 <b>Ukas frister</b> – søknadsfrister de neste 14 dagene"
WEEKLY_ITEM = "• <b>{deadline}</b> ({left})\n  {title} · {source}"
WEEKLY_EMPTY = "🗓 <b>Ukas frister</b>\nIngen søknadsfrister de neste 14 dagene. God uke!"
WEEKLY_FOOTER = "Alle frister: /frister"

# Event reminders.
EVENT_REMINDER_DAY = "📣 <b>I morgen:</b> {title}"
EVENT_REMINDER_HOUR = "📣 <b>Om en time:</b> {title}"
EVENT_WHEN = "Tid: {when}"
EVENT_WHERE = "Sted: {where}"
EVENT_LINK = '<a href="{url}">Lenke til møtet</a>'

# The buttons under a push.
PUSH_MUTED = "Ok, du får ingen flere påminnelser om denne utlysningen."
PUSH_UNMUTED = "Ok, du får påminnelser om denne utlysningen igjen."
PUSH_CALL_GONE = "Fant ikke utlysningen – den kan være fjernet."
PUSH_CALENDAR_NO_DEADLINE = "Denne utlysningen har ingen fast frist å legge i kalenderen."
PUSH_CALENDAR_CAPTION = "📅 Åpne filen for å legge fristen i kalenderen din."
PUSH_MUTE_ADMINS_ONLY = "I en gruppe er det bare administratorene som kan skru av varsler om en utlysning."
PUSH_CALENDAR_FILENAME = "frist-{call_id}.ics"
