"""The list of municipalities: Trøndelag's 38 by default, configurable, found by part of a name."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.region.municipalities import (
    DEFAULT,
    NORD_GUDBRANDSDAL,
    TRONDELAG_2024,
    Municipalities,
    MunicipalityListError,
    from_settings,
)


def test_trondelag_has_38_in_norwegian_order() -> None:
    assert len(TRONDELAG_2024) == 38 == len(set(TRONDELAG_2024))
    assert len(DEFAULT) == 38
    assert DEFAULT.names[0] == "Flatanger"
    assert DEFAULT.names[-3:] == ("Verdal", "Ørland", "Åfjord")
    assert {"Trondheim", "Nærøysund", "Indre Fosen", "Midtre Gauldal", "Rindal", "Heim"} <= set(DEFAULT.names)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Trondheim", ["Trondheim"]),
        ("trondheim ", ["Trondheim"]),
        ("gauldal", ["Midtre Gauldal"]),
        ("midtre-gauldal", ["Midtre Gauldal"]),
        ("orland", ["Ørland"]),
        ("aafjord", ["Åfjord"]),
        ("naeroysund", ["Nærøysund"]),
        ("nam", ["Namsos", "Namsskogan"]),
        ("osen", ["Osen"]),  # an exact name wins over Indre Fosen
        ("fosen", ["Indre Fosen"]),
        ("xyz", []),
        ("", []),
        ("  ", []),
    ],
)
def test_find_by_part_of_a_name(query: str, expected: list[str]) -> None:
    assert DEFAULT.find(query) == expected


def test_several_matches_put_the_names_that_start_with_it_first() -> None:
    found = DEFAULT.find("ro")
    assert found[:2] == ["Røros", "Røyrvik"]
    assert "Frosta" in found[2:]
    found = DEFAULT.find("s")
    assert found.index("Selbu") < found.index("Frosta")


def test_pages_cover_everything_once() -> None:
    seen: list[str] = []
    _, pages = DEFAULT.page(0, 12)
    assert pages == 4
    for number in range(pages):
        names, _ = DEFAULT.page(number, 12)
        seen.extend(names)
    assert seen == list(DEFAULT.names)
    assert DEFAULT.page(99, 12)[0] == DEFAULT.page(3, 12)[0]


def test_canonical_and_contains() -> None:
    assert DEFAULT.canonical("midtre  gauldal") == "Midtre Gauldal"
    assert DEFAULT.canonical("Lillehammer") is None
    assert "Trondheim" in DEFAULT


def test_setting_replaces_the_list_for_another_region(tmp_path: Path) -> None:
    settings = load_settings(municipalities="Dovre, Lesja,Lom,Sel,Skjåk,Vågå", _env_file=None)
    region = from_settings(settings.municipalities, settings.municipalities_file)
    assert set(region.names) == set(NORD_GUDBRANDSDAL)
    assert region.find("vaga") == ["Vågå"]

    listed = tmp_path / "kommuner.txt"
    listed.write_text("# Nord-Gudbrandsdal\nDovre\n\nLesja  # Innlandet\nlom\nLom\n", encoding="utf-8")
    settings = load_settings(municipalities_file=str(listed), _env_file=None)
    assert from_settings(settings.municipalities, settings.municipalities_file).names == (
        "Dovre",
        "Lesja",
        "lom",
    )


def test_default_when_nothing_is_configured() -> None:
    settings = load_settings(municipalities="", municipalities_file="", _env_file=None)
    assert from_settings(settings.municipalities, settings.municipalities_file) is DEFAULT


def test_bad_settings_stop_with_a_clear_line(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as missing:
        load_settings(municipalities_file=str(tmp_path / "finnes-ikke.txt"), _env_file=None)
    assert "FOUI_MUNICIPALITIES_FILE" in str(missing.value)
    empty = tmp_path / "tom.txt"
    empty.write_text("# bare en kommentar\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="tom"):
        load_settings(municipalities_file=str(empty), _env_file=None)
    with pytest.raises(SettingsError, match="FOUI_MUNICIPALITIES"):
        load_settings(municipalities="Trondheim," + "x" * 60, _env_file=None)
    with pytest.raises(MunicipalityListError):
        Municipalities.of([])
