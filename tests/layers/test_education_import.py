"""The CSV import of facility compositions: validation errors name file, row and column; a good file lands in the bundle."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from layers.bundle import Bundle, BundleValidationError
from layers.education import facility_segregation as fs
from layers.education.params import EducationParams
from layers.sources.user_files import import_file, importers


@pytest.fixture()
def folder(demo_bundle, tmp_path):
    """A private copy of the demo city (imports rewrite the bundle)."""
    return shutil.copytree(demo_bundle.folder, tmp_path / "demo")


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_importer_registered():
    imp = importers()["facility_composition"]
    assert imp.table == "facility_composition" and imp.suffixes == (".csv",)


def test_validation_errors_name_file_row_and_column(folder, tmp_path):
    text = ("facility_id;period;children_total;children_mig_bg\n"
            "GS00001;2024-12-31;120;40\n"       # row 1 fine
            "GS99999;2024-12-31;100;10\n"       # row 2: unknown facility
            "GS00002;2024-12-31;abc;10\n"       # row 3: not a count
            "GS00003;2024-12-31;50;60\n"        # row 4: more with migration background than in total
            "GS00004;31.12.2024;50;10\n"        # row 5: not an ISO date
            "GS00001;2024-12-31;120;40\n")      # row 6: duplicate of row 1
    path = _write(tmp_path, "schulen.csv", text)
    with pytest.raises(BundleValidationError) as err:
        import_file(folder, "facility_composition", path)
    found = {(p.file, p.row, p.column) for p in err.value.problems}
    assert ("schulen.csv", 2, "facility_id") in found
    assert ("schulen.csv", 3, "children_total") in found
    assert ("schulen.csv", 4, "children_mig_bg") in found
    assert ("schulen.csv", 5, "period") in found
    assert ("schulen.csv", 6, "facility_id") in found
    messages = str(err.value)
    assert "schulen.csv, row 3, column 'children_total': 'abc' is not a count" in messages
    assert "matches no facility" in messages and "above its total" in messages
    assert not any(p.row == 1 for p in err.value.problems)
    # the bundle is untouched
    assert Bundle(folder).table("facility_composition").equals(pd.read_parquet(folder / "facility_composition.parquet"))


def test_missing_column_is_a_file_level_error(folder, tmp_path):
    path = _write(tmp_path, "kitas.csv", "facility_id,period,children_total\nKITA00001,2024-12-31,40\n")
    with pytest.raises(BundleValidationError, match=r"kitas.csv, column 'children_mig_bg': required column is missing"):
        import_file(folder, "facility_composition", path)


def test_wrong_suffix_is_refused(folder, tmp_path):
    path = _write(tmp_path, "kitas.txt", "x")
    with pytest.raises(ValueError, match=r"must be a \.csv file"):
        import_file(folder, "facility_composition", path)


def test_good_file_replaces_the_table_and_feeds_facility_segregation(folder, tmp_path):
    text = "facility_id,period,children_total,children_ndh\nGS00001,2024-12-31,100,80\nGS00002,2024-12-31,200,20\n"
    path = _write(tmp_path, "ndh.csv", text)
    import_file(folder, "facility_composition", path)
    bundle = Bundle(folder)
    comp = bundle.table("facility_composition")
    assert len(comp) == 2 and comp["children_mig_bg"].tolist() == [80, 20]  # children_ndh maps onto children_mig_bg
    t = fs.facility_table(bundle, "2024-12-31", EducationParams(), "primary_school")
    assert list(t.index) == ["GS00001", "GS00002"] and t.loc["GS00001", "share_pct"] == pytest.approx(80.0)
    assert any(s.key == "import_facility_composition_ndh" and "ndh.csv" in s.attribution for s in bundle.manifest.sources)  # credited per file
    assert (folder.parent / "demo.imports" / "facility_composition" / "ndh.csv").exists()


def test_measure_records_what_the_count_is(folder, tmp_path):
    ndh = _write(tmp_path, "ndh.csv", "facility_id,period,children_total,children_ndh\nGS00001,2024-12-31,120,40\n")
    import_file(folder, "facility_composition", ndh, keep=False)
    table = Bundle(folder).table("facility_composition")
    assert table["measure"].tolist() == ["ndh"]
    bad = _write(tmp_path, "bad.csv", "facility_id,period,children_total,children_mig_bg,measure\nGS00001,2024-12-31,120,40,Herkunft\n")
    with pytest.raises(BundleValidationError) as err:
        import_file(folder, "facility_composition", bad, keep=False)
    assert {(p.file, p.row, p.column) for p in err.value.problems} == {("bad.csv", 1, "measure")}
    assert Bundle(folder).table("facility_composition")["measure"].tolist() == ["ndh"]  # the failed import changed nothing
