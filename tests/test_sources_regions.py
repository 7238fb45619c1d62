"""FOUI_REGION presets: trondelag (today's defaults) and innlandet (Nord-Gudbrandsdal); a sources file
still replaces a preset's sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.poll.seed import load_source_defs
from bot.region.municipalities import NORD_GUDBRANDSDAL, from_settings
from bot.region.presets import INNLANDET_2024, region


def test_trondelag_is_the_default() -> None:
    settings = load_settings(_env_file=None)
    assert settings.region == "trondelag"
    defs, replace = load_source_defs(settings)
    assert not replace and {d.name for d in defs} >= {"Forskningsrådet", "Regionale forskningsfond Trøndelag"}
    assert len(from_settings(None, None, region(settings.region).municipalities)) == 38


def test_innlandet_preset() -> None:
    settings = load_settings(_env_file=None, region="Innlandet")
    assert settings.region == "innlandet"
    defs, replace = load_source_defs(settings)
    urls = {d.url for d in defs}
    assert not replace
    assert "https://www.regionaleforskningsfond.no/innlandet/" in urls
    assert "https://www.statsforvalteren.no/nb/innlandet/tilskudd/" in urls
    assert not any("trondelag" in u for u in urls)
    six = from_settings(None, None, region(settings.region).municipalities)
    assert set(six.names) == {"Lesja", "Dovre", "Sel", "Vågå", "Lom", "Skjåk"}
    assert len(INNLANDET_2024) == 46 and set(NORD_GUDBRANDSDAL) <= set(INNLANDET_2024)


def test_a_sources_file_still_replaces_the_preset(tmp_path: Path) -> None:
    path = tmp_path / "kilder.toml"
    path.write_text(
        '[[source]]\nname = "Egen"\nkind = "rss"\nurl = "https://example.org/f.xml"\n', encoding="utf-8"
    )
    defs, replace = load_source_defs(load_settings(_env_file=None, region="innlandet", sources_file=path))
    assert replace and [d.name for d in defs] == ["Egen"]


def test_an_unknown_region_is_a_clear_error() -> None:
    with pytest.raises(SettingsError, match="Ugyldig innstilling FOUI_REGION: ukjent region"):
        load_settings(_env_file=None, region="vestland")


def test_each_region_suggests_its_own_funders_for_a_coordinators_deadline() -> None:
    assert "Statsforvalteren i Trøndelag" in region("trondelag").funders
    assert region("innlandet").funders == ("KS", "Statsforvalteren i Innlandet", "Innlandet fylkeskommune")
