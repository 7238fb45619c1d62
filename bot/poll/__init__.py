"""The poll wing: fetching the sources on their schedule, storing what they yield, the sources'
health, and ``foui-bot poll``."""
