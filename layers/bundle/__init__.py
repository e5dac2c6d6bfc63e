"""The city bundle: schema, validation, storage and the loaded Bundle."""

from .bundle import Bundle, load_bundle
from .check import validate_bundle_folder
from .schema import AGE_BANDS, FACILITY_TYPES, TABLES, Level, Manifest, Source
from .store import BundleBuild, read_manifest, write_bundle
from .validate import BundleValidationError, Problem, outside_extent

__all__ = [
    "AGE_BANDS", "Bundle", "BundleBuild", "BundleValidationError", "FACILITY_TYPES", "Level", "Manifest", "Problem",
    "Source", "TABLES", "load_bundle", "outside_extent", "read_manifest", "validate_bundle_folder", "write_bundle"
]
