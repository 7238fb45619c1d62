"""The storage room: typed models, queries and migrations. Importing it registers every table."""

from storage import apply_models as apply_models  # the "Vi søker" tables join Base.metadata
from storage import source_models as source_models  # the call watch and source drift tables
