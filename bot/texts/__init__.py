"""Every user-visible text, in bokmål. Tests refer to these names.

One module per area keeps the files small; import from ``bot.texts`` only.
HTML texts use ``{placeholders}`` that callers fill with ``html.escape``d values.
"""

from bot.texts.applications import *  # noqa: F403
from bot.texts.closed import *  # noqa: F403
from bot.texts.common import *  # noqa: F403
from bot.texts.coordinators import *  # noqa: F403
from bot.texts.fetching import *  # noqa: F403
from bot.texts.format import *  # noqa: F403
from bot.texts.members import *  # noqa: F403
from bot.texts.network import *  # noqa: F403
from bot.texts.pushes import *  # noqa: F403
from bot.texts.sources import *  # noqa: F403
from bot.texts.sources_admin import *  # noqa: F403
from bot.texts.sources_push import *  # noqa: F403
from bot.texts.truth import *  # noqa: F403
