"""Texts of /sprak (/språk, /language): choosing the bot's language, per person and per group."""

CMD_SPRAK = "Velg språk (bokmål, nynorsk, English)"
LANGUAGE_MENU = "<b>Språk</b>\nJeg skriver nå på <b>{language}</b>. Velg språket du vil ha:"
LANGUAGE_MENU_GROUP = (
    "<b>Gruppens språk</b>\nJeg skriver nå på <b>{language}</b> i denne gruppen. Velg språk:"
)
LANGUAGE_SET = "✅ Nå skriver jeg på bokmål."
LANGUAGE_SET_GROUP = "✅ Nå skriver jeg på bokmål i denne gruppen."
LANGUAGE_DEFAULT = "Som Telegram-appen min"
LANGUAGE_SET_DEFAULT = "✅ Nå følger jeg språket i Telegram-appen din ({language})."
LANGUAGE_NOT_ADMIN = "Bare gruppens administratorer og koordinatorene kan endre språket i gruppen."
LANGUAGE_UNKNOWN = "Det språket kjenner jeg ikke. Velg med knappene."
