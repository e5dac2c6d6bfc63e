"""The words of a scenario's key effects: titles and units of each figure, the name of its scope, the assumptions."""

from __future__ import annotations

import pandas as pd

from ..bundle import Bundle
from ..education import schools as school_mod
from ..infrastructure.access import type_title
from ..settings import Settings
from .effect_measures import Places
from .model import FacilityChange, Housing, NewAccommodation, NewFacility, Scenario

# (title de, title en, unit de, unit en)
TITLES: dict[str, tuple[str, str, str, str]] = {
    "residents": ("Einwohner/innen", "Residents", "Personen", "persons"),
    "children_under_6": ("Kinder unter 6 Jahren", "Children under 6", "Personen", "persons"),
    "children_6_15": ("Kinder und Jugendliche 6 bis unter 15", "Residents aged 6 to under 15", "Personen", "persons"),
    "mig_bg": ("Einwohner/innen mit Migrationshintergrund", "Residents with migration background", "Personen", "persons"),
    "mig_bg_share": ("Anteil mit Migrationshintergrund", "Share with migration background", "%", "%"),
    "kita_demand": ("Kita-Bedarf (Kinder unter 6 × Betreuungsquote)", "Kita demand (children under 6 × take-up)", "Kinder", "children"),
    "kita_places_per_100": ("Kita-Plätze je 100 Kinder mit Bedarf (2SFCA)", "Kita places per 100 children in demand (2SFCA)",
                            "Plätze je 100 Kinder", "places per 100 children"),
    "school_children_6_12": ("Kinder 6 bis 12 im Einschulbereich", "Children aged 6–12 in the primary-school catchment", "Kinder", "children"),
    "school_children_per_100_pupils": ("Kinder 6 bis 12 je 100 Schüler/innen der Grundschulen im Einschulbereich",
                                       "Children aged 6–12 per 100 pupils of the catchment's primary schools",
                                       "Kinder je 100 Schüler/innen", "children per 100 pupils"),
    "dissimilarity": ("Segregationsindex D (Migrationshintergrund, Planungsräume)", "Dissimilarity D (migration background, finest units)",
                      "Indexpunkte", "index points"),
    "accommodation_per_1000": ("Unterkunftsplätze je 1.000 Einwohner/innen", "Accommodation places per 1,000 residents", "je 1.000 EW",
                               "per 1,000 residents"),
    "accommodation_gini": ("Konzentration der Unterkunftsplätze (Gini × 100)", "Concentration of accommodation places (Gini × 100)",
                           "Indexpunkte", "index points"),
    "green_m2_per_resident": ("Grünfläche je Einwohner/in", "Green space per resident", "m² je EW", "m² per resident"),
    "green_pressure": ("Nutzungsdruck der Grünflächen", "Usage pressure on green spaces", "EW je m²", "residents per m²"),
}


def effect_title(key: str, bundle: Bundle, settings: Settings) -> tuple[str, str, str, str]:
    for prefix, (de, en, ude, uen) in {
        "covered_need_": ("Versorgte mit Bedarf (gewichtet): {t}", "Residents in need served (weighted): {t}", "Personen (gewichtet)",
                          "persons (weighted)"),
        "covered_": ("Einwohner/innen im Einzugsbereich: {t}", "Residents within reach: {t}", "Personen", "persons"),
        "dist_": ("Mittlerer Fußweg zur nächsten Einrichtung: {t}", "Mean walking distance to the nearest: {t}", "m", "m"),
    }.items():
        if key.startswith(prefix):
            kind = key.removeprefix(prefix)
            return de.format(t=type_title(kind, "de")), en.format(t=type_title(kind, "en")), ude, uen
    de, en, ude, uen = TITLES[key]
    if key == "dissimilarity":
        lvl = bundle.finest_level
        de, en = de.replace("Planungsräume", lvl.name_de), en.replace("finest units", lvl.name_en)
    return de, en, ude, uen


def scope_of(bundle: Bundle, scope_id: str, where: Places) -> tuple[str, str]:
    if scope_id == "city":
        return "city", bundle.manifest.title
    if scope_id in where.catchments:
        c = school_mod.catchments(bundle)
        return "area", str(c.loc[scope_id, "name"]) if "name" in c.columns and pd.notna(c.loc[scope_id, "name"]) else scope_id
    units = bundle.units.set_index("unit_id")
    level = str(units.loc[scope_id, "level"])
    return ("district" if level == bundle.levels[0].id else "area"), str(units.loc[scope_id, "name"])


def assumptions(scenario: Scenario, settings: Settings, period: str) -> list[tuple[str, str]]:
    v = settings.values
    out = [(f"Neue Einwohner/innen zählen zu jedem Stichtag (hier {period}); Zusammensetzung der Referenzgebiete zum letzten Stichtag.",
            f"New residents count at every reference date (here {period}); reference-area composition at the latest date.")]
    if any(isinstance(i, Housing) for i in scenario.interventions):
        out += [
            ("Einwohner/innen = Wohnungen × Personen je Wohnung; Aufteilung nach Altersgruppen und Migrationshintergrund nach der gewählten "
             "Mischung (Referenzgebiet oder typische Mischung laut Einstellungen).",
             "Residents = dwellings × persons per dwelling, split by age band and migration background by the chosen mix (reference area "
             "or the typical mix from the settings)."),
            (f"Spanne (niedrig–hoch): Personen je Wohnung ± {100 * v['scenario_persons_spread']:.0f} %, Anteil unter 18 ± "
             f"{100 * v['scenario_child_spread']:.0f} % (Annahme).",
             f"Range (low–high): persons per dwelling ± {100 * v['scenario_persons_spread']:.0f} %, share under 18 ± "
             f"{100 * v['scenario_child_spread']:.0f} % (assumption)."),
            ("Typische Mischungen für Neubau und geförderten Wohnungsbau sind Annahmen des Projekts, keine amtlichen Werte.",
             "Typical mixes of new-build and subsidised housing are project assumptions, not official figures."),
        ]
    if any(isinstance(i, NewAccommodation) for i in scenario.interventions):
        mix = ", ".join(f"{100 * a:.0f}" for a in v["accommodation_age_mix"])
        out += [
            (f"Unterkunft: Bewohner/innen = Plätze × Belegung (Standard {100 * v['accommodation_occupancy']:.0f} %); Altersmischung "
             f"{mix} % (0–6, 6–15, 15–18, 18–27, 27–45, 45–55, 55–65, 65+; Annahme nach BAMF-Asylstatistik); alle mit "
             "Migrationshintergrund und ausländischer Staatsangehörigkeit, Herkunftsregionen nicht zugeordnet (Annahmen).",
             f"Accommodation: residents = places × occupancy (default {100 * v['accommodation_occupancy']:.0f} %); age mix {mix} % "
             "(0–6, 6–15, 15–18, 18–27, 27–45, 45–55, 55–65, 65+; assumption after the BAMF asylum statistics); all with migration "
             "background and foreign citizenship, origin regions not assigned (assumptions)."),
            (f"Spanne (niedrig–hoch): Bewohner/innen ± {100 * v['scenario_persons_spread']:.0f} %, Anteil unter 18 ± "
             f"{100 * v['scenario_child_spread']:.0f} % (Annahme).",
             f"Range (low–high): residents ± {100 * v['scenario_persons_spread']:.0f} %, share under 18 ± "
             f"{100 * v['scenario_child_spread']:.0f} % (assumption)."),
        ]
    if any(isinstance(i, (NewFacility, FacilityChange)) for i in scenario.interventions):
        out.append(("Fußwege: Luftlinie × Umwegfaktor von der Mitte der H3-Zellen; Einzugsradien je Einrichtungsart laut Einstellungen.",
                    "Walking distances: straight line × detour factor from H3 cell centres; coverage radii per facility type from the settings."))
    out.append(("Ein höherer oder niedrigerer Wert beschreibt die Lage, er ist keine Bewertung des Quartiers.",
                "A higher or lower value describes the situation; it is not a judgement of the neighbourhood."))
    return out
