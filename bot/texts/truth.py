"""Texts of deadline truth: the evidence line under a call, the coordinators' question and answers."""

# Members: under every push about a call, one short line saying what the deadline stands on.
EVIDENCE_PAGE = "🔎 Fra siden: «{evidence}»"
EVIDENCE_CONFIRMED = "🔎 Bekreftet av en koordinator: «{evidence}»"
EVIDENCE_CONFIRMED_PLAIN = "🔎 Bekreftet av en koordinator"
EVIDENCE_SET = "🔎 Fristen er satt av en koordinator"
EVIDENCE_MANUAL = "🔎 Lagt inn av en koordinator"
# Appended to a deadline that a coordinator has not confirmed yet (pushes and /frister).
DEADLINE_UNCONFIRMED = " · <i>frist ikke bekreftet</i>"

# The coordinators' question: one message per call (and per reading of its page).
CHECK_NEW = (
    "🔎 <b>Stemmer fristen?</b>\n{title}\n\n"
    "Jeg leste: <b>{deadline}</b>\nFra siden: «{evidence}»\n{source}{link}\n\n"
    "Til en koordinator svarer, får medlemmene varselet merket «frist ikke bekreftet» og ingen påminnelser."
)
CHECK_NO_DATE = (
    "🔎 <b>Fant ingen frist</b>\n{title}\n\n"
    "Siden har en fristlinje, men jeg fant ingen dato i den:\n«{evidence}»\n{source}{link}\n\n"
    "Hva er fristen?"
)
CHECK_AGAIN = (
    "🔎 <b>Siden viser nå en annen frist</b>\n{title}\n\n"
    "Dere har: <b>{ours}</b>\nSiden sier nå: <b>{theirs}</b>\nFra siden: «{evidence}»\n{source}{link}\n\n"
    "Medlemmene ser fortsatt deres frist, uten påminnelser, til en koordinator svarer. "
    "«Riktig» tar sidens nye frist."
)
CHECK_SOURCE = "Kilde: {source}\n"
CHECK_LINK = '<a href="{url}">Åpne siden</a>'
CHECK_NO_EVIDENCE = "(ingen tekst)"
BTN_CHECK_OK = "✅ Riktig"
BTN_CHECK_EDIT = "✏️ Endre frist"
BTN_CHECK_ROLLING = "🔁 Løpende"
BTN_CHECK_NONE = "🚫 Ingen frist"

# What a button did, added under the question (and shown briefly to the one who pressed).
CHECK_DONE_OK = "✅ Bekreftet av {name}: {deadline}."
CHECK_DONE_SET = "✏️ Satt av {name}: {deadline}."
CHECK_MEMBERS_TOLD = " Medlemmene som fikk varselet, får beskjed om den nye fristen."
CHECK_ALREADY = "Dette er allerede avklart: fristen er nå {deadline}."
CHECK_STALE = "Siden har endret seg siden dette spørsmålet. Svar på den nyeste meldingen om utlysningen."
CHECK_GONE = "Fant ikke utlysningen – den kan være fjernet."
CHECK_SOMEONE = "en koordinator"
DEADLINE_ROLLING = "løpende"
DEADLINE_NONE = "ingen frist"

# /endrefrist on a polled call.
EF_WHAT_POLLED = (
    "{card}\n\nDenne utlysningen hentes fra en kilde. Fristen du setter, står til siden viser en annen "
    "frist; da spør jeg koordinatorene igjen. Hva er riktig?"
)
EF_CARD_POLLED = "<b>{title}</b>\nFrist: {deadline}\nKilde: {source}{waiting}"
EF_CARD_WAITING = "\n<i>Venter på en koordinator.</i>"
EF_WAITING_MARK = "⚠️ "  # in front of a waiting deadline in /endrefrist's list
EF_NO_MATCH = "Fant ingen utlysning med «{words}» i tittelen. Prøv /endrefrist uten ord for hele listen."
BTN_FIELD_ROLLING = "🔁 Løpende"
BTN_FIELD_NONE = "🚫 Ingen frist"

# /status
STATUS_TRUTH = (
    "\n<b>Frister</b>: {confirmed} bekreftet av koordinator · {certain} lest sikkert fra siden · "
    "{waiting} venter på koordinator"
)
STATUS_TRUTH_OLDEST = "Eldste som venter: {title} (siden {since})"
