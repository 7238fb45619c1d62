"""Texts of "Kan vi søke?" and "Vi søker": who may apply, the municipalities' statuses, partner
introductions, plans back from the deadline, /soknader, /utlysning and /milepeler.
HTML placeholders are filled with html.escape'd values."""

# ---- who may apply: one line under a call ------------------------------------------------------
ELIG_CAN_APPLY = "✅ Kommunen kan søke"
ELIG_CAN_PARTNER = "🤝 Kommunen kan være partner"
ELIG_NOT_FOR = "⛔ Ikke for kommuner"
ELIG_UNKNOWN = "❔ Hvem som kan søke, står ikke klart"
ELIG_SEPARATOR = " · "
AMOUNT_RANGE = "{low}–{high} per prosjekt"
AMOUNT_MAX = "inntil {amount} per prosjekt"
AMOUNT_MIN = "minst {amount} per prosjekt"
AMOUNT_TOTAL = "ramme {amount}"
AMOUNT_TOTAL_AFTER = " (ramme {amount})"
MONEY_MILLIONS = "{value} mill. {unit}"
MONEY_BILLIONS = "{value} mrd. {unit}"
MONEY_PLAIN = "{value} {unit}"
UNIT_NOK = "kr"
UNIT_EUR = "euro"

# Conditions in the detail view.
COND_RESEARCH_REQUIRED = "🔬 Krever en forskningspartner"
COND_RESEARCH_ENCOURAGED = "🔬 Samarbeid med forskningsmiljø oppfordres"
COND_SEVERAL_REQUIRED = "🏘 Krever at flere kommuner går sammen"
COND_SEVERAL_ENCOURAGED = "🏘 Samarbeid mellom kommuner oppfordres"
COND_COFUNDING_SHARE = "💰 Egenandel: minst {percent} %"
COND_COFUNDING = "💰 Krever egenandel"
COND_NO_COFUNDING = "💰 Ingen krav om egenandel"
COND_EVIDENCE = "<i>«{sentence}»</i>"
COND_READ_FROM = "<i>Lest fra utlysningsteksten – sjekk alltid selve utlysningen.</i>"

# ---- the status buttons under every push about a call and its detail view ----------------------
BUTTON_CONSIDER = "🤔 Vi vurderer"
BUTTON_APPLY = "✍️ Vi søker"
BUTTON_NOT_RELEVANT = "🚫 Ikke aktuelt"
BUTTON_DETAILS = "ℹ️ Detaljer"
BUTTON_CHOSEN = "✓ {label}"

STATUS_PHRASE_CONSIDER = "vurderer utlysningen"
STATUS_PHRASE_APPLY = "søker på utlysningen"
STATUS_PHRASE_NOT_RELEVANT = "har merket utlysningen som ikke aktuell"
STATUS_WORD_CONSIDER = "vurderer"
STATUS_WORD_APPLY = "søker"
STATUS_WORD_NOT_RELEVANT = "ikke aktuelt"

AP_SET = "Registrert: {municipality} {phrase}."
AP_UNCHANGED = "{municipality} er allerede registrert slik."
AP_NOT_CONTACT = (
    "Bare godkjente FoUI-kontakter kan merke utlysninger for kommunen sin. Registrer deg med /registrer."
)
AP_CALL_GONE = "Fant ikke utlysningen – den kan være fjernet."
AP_CALL_CLOSED = "Utlysningen er avsluttet, så den kan ikke merkes lenger."
AP_PLAN_STOPPED = " Planen for søknaden er stoppet."

# The network's view of a call ("3 kommuner vurderer, 1 søker (Inderøy)").
NETWORK_CONSIDER_ONE = "1 kommune vurderer"
NETWORK_CONSIDER = "{count} kommuner vurderer"
NETWORK_APPLY = "{count} søker ({names})"
NETWORK_NOT_RELEVANT = "{count} ikke aktuelt"
NETWORK_JOIN = ", "
NETWORK_NONE = "Ingen kommuner har merket utlysningen ennå."
NETWORK_LINE = "👥 {summary}"
OWN_STATUS = "Din kommune ({municipality}): {status}"
OWN_STATUS_NONE = "Din kommune ({municipality}) har ikke merket utlysningen."

# ---- the detail view: /utlysning <nummer> and the "Detaljer" button ------------------------------
DETAIL_HEADER = "📄 {title}"
DETAIL_USAGE = (
    "Skriv /utlysning og nummeret på utlysningen, for eksempel /utlysning 12. Nummeret står under «Detaljer»."
)
DETAIL_NOT_FOUND = "Fant ingen utlysning med nummer {number}."
DETAIL_NUMBER = "Utlysning nr. {number}"
DETAIL_PRIVATE = "Jeg sendte detaljene til deg i privat chat."
DETAIL_START_FIRST = "Start en privat chat med meg først, så kan jeg sende deg detaljene."
PARTNER_INTRODUCED = "Dere er satt i kontakt – se meldingen fra meg."

# ---- partners ------------------------------------------------------------------------------------
PARTNER_ASK = (
    "🤝 <b>{municipality} {phrase} også</b>\n{title}\n\n"
    "Vil du bli satt i kontakt med FoUI-kontakten deres? Navn, kommune og Telegram-kontakt deles "
    "bare hvis dere begge sier ja."
)
PARTNER_YES_BUTTON = "✅ Ja, sett oss i kontakt"
PARTNER_NO_BUTTON = "Nei takk"
PARTNER_WAITING = "Takk! Du hører fra meg hvis dere blir satt i kontakt."
PARTNER_DECLINED = "Ok, kontaktinformasjonen din deles ikke."
PARTNER_NOT_YOURS = "Denne forespørselen gjelder ikke deg."
PARTNER_GONE = "Forespørselen finnes ikke lenger."
PARTNER_ALREADY = "Dere er allerede satt i kontakt."
PARTNER_INTRO = (
    "🤝 <b>Dere er satt i kontakt</b> om {title}\n\n{name} ({municipality}): {contact}\n\n"
    "Dere sa begge ja. Ta gjerne kontakt direkte for å snakke om et samarbeid."
)
PARTNER_CONTACT_USERNAME = "@{username}"
PARTNER_CONTACT_LINK = '<a href="tg://user?id={user_id}">send melding</a>'

# ---- requirements at the moment someone marks a call ---------------------------------------------
REQ_NOTICE = "ℹ️ <b>Merk:</b> {requirements}\n{evidence}\n\nKoordinatorene kan hjelpe dere å finne partnere."
REQ_JOIN = " "
REQ_RESEARCH = "Utlysningen krever en forskningspartner."
REQ_SEVERAL = "Utlysningen krever at flere kommuner søker sammen."
REQ_HELP_BUTTON = "🙋 Be koordinatorene om hjelp"
REQ_HELP_SENT = "Koordinatorene har fått beskjed."
REQ_HELP_ALREADY = "Koordinatorene har allerede fått beskjed om denne."
REQ_HELP_NOBODY = "Fant ingen koordinator å sende til. Ta kontakt med koordinatorene direkte."
REQ_HELP_REQUEST = "🙋 <b>{name}</b> ({municipality}) ber om hjelp til å finne partnere\n{title}\n\n{requirements}\nKontakt: {contact}"

# ---- the plan back from the deadline -------------------------------------------------------------
PLAN_OFFER = (
    "🗓 <b>Vil dere ha en plan bakover fra fristen?</b>\n{title}\nFrist: {deadline}\n\n{items}\n\n"
    "Kommunens FoUI-kontakter får en påminnelse ved hver milepæl. Planen stopper hvis statusen endres."
)
PLAN_ITEM = "• {date} ({weeks} før): {label}"
PLAN_ITEM_PASSED = "• <s>{label}</s> ({weeks} før – allerede passert)"
PLAN_YES_BUTTON = "✅ Ja, lag planen"
PLAN_NO_BUTTON = "Nei takk"
PLAN_MADE = "Planen er laget. Kommunens kontakter får påminnelse ved hver milepæl."
PLAN_EXISTS = "Kommunen har allerede en plan for denne utlysningen."
PLAN_NOT_APPLYING = "En plan lages bare når kommunen har merket utlysningen «Vi søker»."
PLAN_NO_DEADLINE = "Utlysningen har ingen fast frist å planlegge bakover fra."
PLAN_DECLINED = "Ok, ingen plan."
MILESTONE = (
    "🗓 <b>Milepæl: {label}</b>\n{title}\n\nFrist: {deadline} ({left}) – {weeks} igjen.\n"
    "{municipality} har merket utlysningen «Vi søker»."
)
WEEKS_ONE = "1 uke"
WEEKS_MANY = "{count} uker"

# ---- /soknader -----------------------------------------------------------------------------------
SOKNADER_HEADER = "📋 <b>{municipality} jobber med</b> ({count})"
SOKNADER_ITEM = "• {title}\n  {status} · {deadline} · /utlysning {number}"
SOKNADER_NONE = "{municipality} har ikke merket noen åpne utlysninger. Trykk «Vi vurderer» eller «Vi søker» under en utlysning."
SOKNADER_NOT_CONTACT = "/soknader viser hva kommunen din jobber med, og er for godkjente FoUI-kontakter. Registrer deg med /registrer."
SOKNADER_PRIVATE = "/soknader svarer jeg på i privat chat."
NETWORK_VIEW_HEADER = "🗺 <b>Søknader i nettverket</b> ({count} utlysninger)"
NETWORK_VIEW_ITEM = "• {title}\n  {deadline} · {summary} · /utlysning {number}"
NETWORK_VIEW_NONE = "Ingen kommuner har merket åpne utlysninger ennå."
UNMARKED_HEADER = "👀 <b>Åpne utlysninger ingen har sett på</b> ({count}), snarest frist først"
UNMARKED_ITEM = "• {deadline}: {title} · /utlysning {number}"
UNMARKED_MORE = "… og {count} til."
BTN_MY_MUNICIPALITY = "Min kommune"
BTN_WHOLE_NETWORK = "Hele nettverket"
DEADLINE_ROLLING_SHORT = "løpende"
DEADLINE_NONE_SHORT = "frist ikke oppgitt"

# ---- /frister and /innstillinger: only what the municipality can use ------------------------------
FRISTER_HIDDEN_ONE = "<i>1 utlysning som ikke er for kommuner er skjult.</i>"
FRISTER_HIDDEN = "<i>{count} utlysninger som ikke er for kommuner er skjult.</i>"
BTN_SHOW_ALL_CALLS = "Vis alle utlysningene"
BTN_ONLY_ELIGIBLE = "Bare det kommunen kan bruke"
SETTINGS_ONLY_ELIGIBLE_ON = "Bare det kommunen kan søke på eller delta i: på"
SETTINGS_ONLY_ELIGIBLE_OFF = "Bare det kommunen kan søke på eller delta i: av"
BTN_ONLY_ELIGIBLE_ON = "🏛 Bare det kommunen kan søke på: slå på"
BTN_ONLY_ELIGIBLE_OFF = "🏛 Bare det kommunen kan søke på: slå av"
ONLY_ELIGIBLE_NOW_ON = (
    "Ok: /frister viser bare det kommunen kan søke på eller delta i (og det som er uklart)."
)
ONLY_ELIGIBLE_NOW_OFF = "Ok: /frister viser alle utlysningene."

# ---- /milepeler (coordinators) -------------------------------------------------------------------
MILEPELER_SHOW = (
    "🗓 <b>Standard milepæler for nye søknadsplaner</b>\n{items}\n\n"
    "Endre: /milepeler 6 Forankring i ledelsen; 3 Partnere og intensjonsbrev; 1 Godkjenning\n"
    "Tilbake til standard: /milepeler standard"
)
MILEPELER_ITEM = "• {weeks} før: {label}"
MILEPELER_SAVED = "Lagret. Nye planer får disse milepælene (planer som er laget, beholder sine)."
MILEPELER_RESET = "Tilbake til standard milepæler."
MILEPELER_BAD = "Forstod ikke milepælene: {reason}.\nSkriv for eksempel: /milepeler 6 Forankring i ledelsen; 3 Partnere; 1 Godkjenning"
RESET_WORDS = ("standard", "default", "tilbakestill")

CMD_SOKNADER = "Utlysningene kommunen din jobber med"
CMD_UTLYSNING = "Detaljer om en utlysning: hvem kan søke, hvem er med"
CMD_MILEPELER = "Standard milepæler for søknadsplaner"
