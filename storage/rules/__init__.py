"""Pure push rules shared by storage and bot, no SQLAlchemy."""
