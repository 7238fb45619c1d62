""".env.example documents every setting, and nothing that is not one."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_lists_every_setting() -> None:
    documented = set(re.findall(r"^(FOUI_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    settings = {f"FOUI_{name.upper()}" for name in Settings.model_fields}
    assert documented == settings
