"""The city bundle: schema, validation, storage and the loaded Bundle."""

from .bundle import Bundle, load_bundle
from .schema import AGE_BANDS, FACILITY_TYPES, TABLES, Level, Manifest, Source
from .store import BundleBuild, write_bundle
from .validate import BundleValidationError, Problem

__all__ = ["AGE_BANDS", "FACILITY_TYPES", "TABLES", "Bundle", "BundleBuild", "BundleValidationError", "Level", "Manifest",
           "Problem", "Source", "load_bundle", "write_bundle"]
