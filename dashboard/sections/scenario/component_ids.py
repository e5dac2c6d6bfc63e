"""The component ids of the scenario panel (each id once, prefix ``scenario``), and the section's id."""

from __future__ import annotations

SECTION_ID = "scenario"
KIND = "scenario-kind"
DWELLINGS = "scenario-dwellings"
PERSONS = "scenario-persons"
SUBSIDISED = "scenario-subsidised"
MIX = "scenario-mix"
REFERENCE = "scenario-reference"
FACILITY_TYPE = "scenario-facility-type"
CAPACITY = "scenario-capacity"
CHANGE_FACILITY = "scenario-change-facility"
NEW_CAPACITY = "scenario-new-capacity"
CLOSE = "scenario-close"
LABEL = "scenario-label"
HOUSING_FIELDS = "scenario-housing-fields"
FACILITY_FIELDS = "scenario-facility-fields"
CHANGE_FIELDS = "scenario-change-fields"
PLACE = "scenario-place"
AT_SELECTION = "scenario-at-selection"
ADD_CHANGE = "scenario-add-change"
UPDATE = "scenario-update"
CANCEL = "scenario-cancel"
HINT = "scenario-hint"
MESSAGE = "scenario-message"
EDITING = "scenario-editing"  # dcc.Store: 0-based index of the intervention being edited, or None
LIST = "scenario-list"
ITEM_EDIT = "scenario-item-edit"  # pattern-matching id type {"type": ITEM_EDIT, "index": i}
ITEM_DELETE = "scenario-item-delete"
EFFECTS = "scenario-effects"
CARDS = "scenario-cards"
SUGGEST_TYPE = "scenario-suggest-type"
SUGGEST_K = "scenario-suggest-k"
WEIGHT = "scenario-weight"  # pattern-matching id type {"type": WEIGHT, "key": name}
SUGGEST_RUN = "scenario-suggest-run"
SUGGESTIONS = "scenario-suggestions"
PROPOSALS = "scenario-proposals"  # dcc.Store: the last proposals as dicts
ACCEPT = "scenario-accept"  # pattern-matching {"type": ACCEPT, "index": rank}
MOVE = "scenario-move"
NAME = "scenario-name"
SAVE = "scenario-save"
SAVED = "scenario-saved"
LOAD = "scenario-load"
DELETE_SAVED = "scenario-delete-saved"
EXPORT = "scenario-export"
DOWNLOAD = "scenario-download"
UPLOAD = "scenario-upload"
NEW = "scenario-new"
STORE_MESSAGE = "scenario-store-message"

# The form's fields in the order of `form.form_dict`'s parameters (and of `form.fill_form`'s outputs).
FORM_FIELDS = {"kind": KIND, "dwellings": DWELLINGS, "persons": PERSONS, "subsidised": SUBSIDISED, "mix": MIX, "reference": REFERENCE,
               "facility_type": FACILITY_TYPE, "capacity": CAPACITY, "change_facility": CHANGE_FACILITY, "new_capacity": NEW_CAPACITY,
               "close": CLOSE, "label": LABEL}
