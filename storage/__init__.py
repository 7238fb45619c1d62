"""The storage room: typed models, queries and migrations. Importing it registers every table."""

from storage import apply_models as apply_models  # the "Vi søker" tables join Base.metadata
from storage import cache_generation as cache_generation  # the cached views' generations
from storage import calendar_models as calendar_models  # the calendar wing's tables too
from storage import fanouts as fanouts  # fan-outs waiting to be done (issue 18)
from storage import network_setup as network_setup  # the group and coordinators kept by /oppsett
from storage import replica_models as replica_models  # leases and conversation state join Base.metadata
from storage import source_models as source_models  # the call watch and source drift tables
