"""The `quartiersatlas` command and the settings: env overrides, atomic builds, clear errors."""

import pandas as pd
import pytest

from dashboard.cli import main
from layers.settings import SettingsError, load_settings


def test_environment_overrides_config(tmp_path):
    s = load_settings(environ={"QUARTIERSATLAS_MODE": "portal", "QUARTIERSATLAS_BERLIN_DIR": str(tmp_path),
                               "QUARTIERSATLAS_H3_RESOLUTIONS": "[8, 9]"})
    assert s.mode == "portal" and s.path("berlin_dir") == tmp_path and s.h3_resolutions == [8, 9]


@pytest.mark.parametrize("env, fragment", [
    ({"QUARTIERSATLAS_MODE": "admin"}, "mode must be one of planner, portal"),
    ({"QUARTIERSATLAS_PORT": "eighty"}, "port must be of type int"),
    ({"QUARTIERSATLAS_H3_RESOLUTIONS": "[12]"}, "h3_resolutions must be integers from 7 to 10"),
])
def test_bad_settings_are_named(env, fragment):
    with pytest.raises(SettingsError, match=fragment):
        load_settings(environ=env)


def test_build_validate_and_failed_rebuild_keeps_bundle(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QUARTIERSATLAS_BUNDLE_DIR", str(tmp_path))
    monkeypatch.setenv("QUARTIERSATLAS_H3_RESOLUTIONS", "[8]")
    assert main(["build", "demo", "--size", "small", "--seed", "3"]) == 0
    folder = tmp_path / "demo-small"
    assert main(["validate", str(folder)]) == 0
    before = (folder / "manifest.json").read_text()

    # A build that fails half-way leaves the previous bundle as it was and no temporary folder behind.
    import layers.bundle.store as store

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "areal_weights", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        main(["build", "demo", "--size", "small", "--seed", "4"])
    assert (folder / "manifest.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo-small"]

    # A corrupted table: exit code 1 and a message naming file, row and column.
    pop = pd.read_parquet(folder / "population_points.parquet")
    pop.loc[4, "pop_total"] = -1
    pop.to_parquet(folder / "population_points.parquet", index=False)
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "population_points.parquet, row 5, column 'pop_total': negative count -1" in err


def test_boolean_settings_parse_words_not_truthiness():
    from layers.settings import SettingsError, load_settings

    assert load_settings(environ={"QUARTIERSATLAS_PUBLISH_FACILITY_COMPOSITIONS": "false"}).publish_facility_compositions is False
    assert load_settings(environ={"QUARTIERSATLAS_PUBLISH_FACILITY_COMPOSITIONS": "Yes"}).publish_facility_compositions is True
    try:
        load_settings(environ={"QUARTIERSATLAS_PUBLISH_FACILITY_COMPOSITIONS": "maybe"})
    except SettingsError as exc:
        assert "true or false" in str(exc)
    else:
        raise AssertionError("an unknown word for a boolean setting must be an error")


def test_public_licence_drops_unverified_notes_in_any_case():
    from layers.bundle.schema import Source

    assert Source("k", "t", "a", "dl-de/zero-2.0 (Not Verified); school data: licence NOT VERIFIED").public_licence == "dl-de/zero-2.0"
    assert Source("k", "t", "a", "not verified").public_licence == ""
    assert Source("k", "t", "a", "CC BY 4.0").public_licence == "CC BY 4.0"
