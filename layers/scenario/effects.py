"""Key effects of a scenario: baseline, scenario, difference and low–high range of the figures planners ask about first."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ..accommodation.distribution import concentration
from ..accommodation.sites import places_on
from ..bundle import Bundle
from ..education import schools as school_mod
from ..education.kita import FCA_RES_FOR_UNITS, kita_access
from ..education.params import EducationParams
from ..infrastructure.access import facility_points, type_title
from ..infrastructure.params import Params
from ..public_space.supply import per_resident, space_pressure, unit_areas
from ..segregation.groups import get_group, group_frame
from ..segregation.indices import district_of, single_kernels
from ..settings import Settings, using_settings
from ..spatial.basis import Basis
from ..spatial.h3grid import hex_to_cells, points_to_cells
from ..spatial.routing import cell_centres_xy
from .model import FacilityChange, Housing, NewAccommodation, NewFacility, Scenario
from .overlay import locate_points, place_site, validate_scenario, with_scenario
from .suggest import cell_need, default_need_weights, serving_types

SCENARIO_SOURCE_DE = "Szenario (Annahme)"
SCENARIO_SOURCE_EN = "Scenario (assumption)"
EFFECT_RES = 9  # H3 resolution of the coverage effects (cell centres as origins)


@dataclass(frozen=True)
class Effect:
    """One key figure under the baseline and the scenario.

    unit / unit_en: unit of the values; scope: ``area`` (finest unit), ``district`` or ``city`` with `scope_name`;
    low/high: the scenario value with the low/high end of the guessed inputs (equal to `scenario` where nothing is guessed).
    """

    key: str
    title_de: str
    title_en: str
    unit: str
    scope: str
    scope_name: str
    baseline: float
    scenario: float
    difference: float
    low: float
    high: float
    unit_en: str = ""
    scope_id: str = ""
    period: str = ""
    source: str = ""

    def title(self, lang: str) -> str:
        return self.title_de if lang == "de" else self.title_en


@dataclass(frozen=True)
class Effects:
    """Effect rows and the assumptions they rest on (de, en)."""

    rows: list[Effect] = field(default_factory=list)
    assumptions: list[tuple[str, str]] = field(default_factory=list)
    period: str = ""

    def to_frame(self) -> pd.DataFrame:
        cols = ["key", "title_de", "title_en", "unit", "unit_en", "scope", "scope_id", "scope_name", "period", "baseline", "scenario",
                "difference", "low", "high", "source"]
        return pd.DataFrame([asdict(r) for r in self.rows], columns=cols)

    def to_dict(self) -> dict:
        clean = lambda v: None if isinstance(v, float) and not np.isfinite(v) else v  # noqa: E731
        return {"period": self.period, "rows": [{k: clean(v) for k, v in asdict(r).items()} for r in self.rows],
                "assumptions": [{"de": de, "en": en} for de, en in self.assumptions]}


@dataclass(frozen=True)
class _Places:
    areas: tuple[str, ...]  # finest units touched
    districts: tuple[str, ...]
    catchments: tuple[str, ...]
    types: tuple[str, ...]  # facility types added, closed or changed


def _where(bundle: Bundle, scenario: Scenario) -> _Places:
    areas, types, points = [], [], []
    fac = None
    for i in scenario.interventions:
        if isinstance(i, FacilityChange):
            fac = facility_points(bundle).set_index("facility_id") if fac is None else fac
            if i.facility_id in fac.index:
                row = fac.loc[i.facility_id]
                types.append(str(row["type"]))
                if isinstance(row["unit_id"], str):
                    areas.append(row["unit_id"])
                points.append((float(row["lon"]), float(row["lat"])))
            continue
        p = place_site(bundle, i.site)
        areas.append(p.unit_id)
        points.append((p.lon, p.lat))
        if isinstance(i, NewFacility):
            types.append(i.facility_type)
    top = bundle.ancestor(bundle.levels[0].id)
    areas = list(dict.fromkeys(a for a in areas if a in top.index))
    districts = list(dict.fromkeys(top[a] for a in areas))
    catch = []
    c = school_mod.catchments(bundle)
    if len(c) and points:
        import shapely

        pts = shapely.points(np.array(points))
        hit_p, hit_c = c.sindex.query(pts, predicate="intersects")
        catch = list(dict.fromkeys(c.index[hit_c[np.argsort(hit_p, kind="stable")]]))
    return _Places(tuple(areas), tuple(districts), tuple(str(x) for x in catch), tuple(dict.fromkeys(types)))


def _dissim(frame: pd.DataFrame) -> float:
    x, t = frame["x"].to_numpy(dtype=float), frame["t"].to_numpy(dtype=float)
    keep = t > 0
    data = pd.DataFrame({"x": x[keep], "t": t[keep]})
    if len(data) < 2 or data["x"].sum() <= 0 or data["x"].sum() >= data["t"].sum():
        return float("nan")
    return float(single_kernels()["dissim"](data, "x", "t")[0])


def _measures(b: Bundle, where: _Places, period: str, settings: Settings) -> dict[tuple[str, str], float]:
    """All key figures on one bundle (baseline or overlay), keyed by (effect key, scope id)."""
    out: dict[tuple[str, str], float] = {}
    finest = Basis(level=b.finest_level.id)
    cf = b.counts(finest, period).frame
    out[("residents", "city")] = float(cf["pop_total"].sum())
    for a in where.areas:
        row = cf.loc[a] if a in cf.index else pd.Series(0.0, index=cf.columns)
        out[("residents", a)] = float(row["pop_total"])
        for key, col in (("children_under_6", "age_0_6"), ("children_6_15", "age_6_15"), ("mig_bg", "pop_mig_bg")):
            if col in cf.columns:
                out[(key, a)] = float(row[col])
        if "pop_mig_bg" in cf.columns:
            out[("mig_bg_share", a)] = 100.0 * float(row["pop_mig_bg"]) / float(row["pop_total"]) if row["pop_total"] > 0 else np.nan
    edu = EducationParams.from_settings(settings)
    if "age_0_6" in cf.columns:
        out.update(_kita(b, where, period, edu, cf))
    if where.catchments and b.has("catchments"):
        ct = school_mod.catchment_table(b, period)
        for c in where.catchments:
            if c in ct.index:
                out[("school_children_6_12", c)] = float(ct.loc[c, "children_6_12"])
                pupils = ct.loc[c, "pupils"]
                out[("school_children_per_100_pupils", c)] = 100.0 * float(ct.loc[c, "children_6_12"]) / float(pupils) \
                    if pd.notna(pupils) and float(pupils) > 0 else np.nan
    group = get_group(b, settings.values.get("default_group"))
    gf, _ = group_frame(b, finest, period, group)
    out[("dissimilarity", "city")] = 100.0 * _dissim(gf)
    district = district_of(b, finest).reindex(gf.index).to_numpy()
    for d in where.districts:
        out[("dissimilarity", d)] = 100.0 * _dissim(gf[district == d])
    if where.types:
        params = Params.from_settings(settings)
        ids = b.cells(EFFECT_RES)
        xy = _centres(b, EFFECT_RES)
        counts = b.counts(Basis(res=EFFECT_RES), period).frame.reindex(ids).fillna(0.0)
        cell_unit = _cell_units(b, EFFECT_RES)
        fac = facility_points(b)
        for kind in where.types:
            sub = fac[fac["type"].isin(serving_types(kind))]  # a neighbourhood centre is a meeting place too
            dist, _ = params.router(b).nearest(xy, sub[["x", "y"]].to_numpy(dtype=float))
            inside = dist <= params.coverage(kind)
            need = cell_need(b, EFFECT_RES, period, default_need_weights(b, kind))["need"].reindex(ids).to_numpy()
            r = counts["pop_total"].to_numpy(dtype=float)
            out[(f"covered_{kind}", "city")] = float((r * inside).sum())
            out[(f"covered_need_{kind}", "city")] = float((need * inside).sum())
            for a in where.areas:
                m = cell_unit == a
                fin = m & np.isfinite(dist)
                out[(f"dist_{kind}", a)] = float((r[fin] * dist[fin]).sum() / r[fin].sum()) if r[fin].sum() > 0 else \
                    (float(dist[fin].mean()) if fin.any() else np.nan)
    if b.has("accommodation"):
        out.update(_accommodation(b, where, period, settings))
    if b.has("green_spaces") and where.areas:
        params = Params.from_settings(settings)
        areas_m2 = unit_areas(b)
        for a in where.areas:
            res_a = float(cf.loc[a, "pop_total"]) if a in cf.index else 0.0
            park = float(areas_m2.loc[a, "park_m2"]) if a in areas_m2.index else 0.0
            out[("green_m2_per_resident", a)] = park / res_a if res_a > 0 else np.nan
        out.update(_pressure(b, where, period, params))
    return out


def _accommodation(b: Bundle, where: _Places, period: str, settings: Settings) -> dict[tuple[str, str], float]:
    """Accommodation places per 1,000 residents in the city and the touched districts, and their concentration."""
    top = Basis(level=b.levels[0].id)
    large = float(settings.values["accommodation_large_site_places"])
    places = places_on(b, top, period, large)["places"]
    residents = b.counts(top, period).frame["pop_total"].reindex(places.index).fillna(0.0)
    out = {("accommodation_per_1000", "city"): 1000.0 * float(places.sum()) / float(residents.sum()) if residents.sum() > 0 else np.nan}
    for d in where.districts:
        out[("accommodation_per_1000", d)] = 1000.0 * float(places.get(d, 0.0)) / float(residents[d]) if residents.get(d, 0) > 0 else np.nan
    second = Basis(level=b.levels[min(1, len(b.levels) - 1)].id)
    p2 = places_on(b, second, period, large)["places"]
    r2 = b.counts(second, period).frame["pop_total"].reindex(p2.index).fillna(0.0)
    out[("accommodation_gini", "city")] = 100.0 * concentration(p2.to_numpy(), r2.to_numpy()).gini
    return out


def _pressure(b: Bundle, where: _Places, period: str, params: Params) -> dict[tuple[str, str], float]:
    """Usage pressure of the touched units' green spaces (residents within walking distance per m²), incrementally.

    A scenario changes only the residents: R_j(scenario) = R_j(baseline) + Σ_h R_h · [d(site cell_h, j) ≤ d_max] with the
    site's cell at the finest resolution, exactly what `space_pressure` recomputes; then Σ R_j / Σ A_j per unit
    (`pressure_on_basis`).
    """
    base = getattr(b, "base", b)
    sp = space_pressure(base, period, params)
    reach = sp["residents_within"].to_numpy(dtype=float).copy()
    res = max(base.manifest.h3_resolutions)
    spaces_xy = sp[["x", "y"]].to_numpy(dtype=float)
    for added in getattr(b, "added", ()):
        cell = points_to_cells(np.array([added.placed.lat]), np.array([added.placed.lon]), res)
        _, j, _ = params.router(base).within(cell_centres_xy(cell), spaces_xy, params.green_walking_m)
        reach[j] += float(added.counts["pop_total"])
    unit = sp["unit_id"].to_numpy()
    area = sp["area_m2"].to_numpy(dtype=float)
    out = {}
    for a in where.areas:
        m = unit == a
        out[("green_pressure", a)] = float(per_resident(np.array([reach[m].sum()]), np.array([area[m].sum()]))[0])
    return out


def _kita(b: Bundle, where: _Places, period: str, edu: EducationParams, cf: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Kita demand and 2SFCA places per 100 children in demand of the touched units and districts.

    The same figures as `layers.education.kita.access_on` on a unit basis (demand-weighted mean of the res-9 cells'
    access, cells shared out by area), computed for the few units needed only.
    """
    res = FCA_RES_FOR_UNITS if FCA_RES_FOR_UNITS in b.manifest.h3_resolutions else max(b.manifest.h3_resolutions)
    a = kita_access(b, res, period, edu)
    w_cell, w_unit, w_share = _weights_np(b, res)
    top = b.ancestor(b.levels[0].id)
    served = (a.cells["access"] * a.cells["demand"]).fillna(0.0).to_numpy()
    cell_demand = a.cells["demand"].to_numpy(dtype=float)
    pos = pd.Index(a.cells.index).get_indexer(w_cell)
    out: dict[tuple[str, str], float] = {}
    scopes = [(u, [u]) for u in where.areas] + [(d, list(top.index[top == d])) for d in where.districts]
    for scope_id, members in scopes:
        rows = np.isin(w_unit, members) & (pos >= 0)
        children = float(cf["age_0_6"].reindex(members).fillna(0.0).sum())
        demand = children * edu.take_up_under_6
        out[("kita_demand", scope_id)] = demand
        num = float((served[pos[rows]] * w_share[rows]).sum())
        weight = float((cell_demand[pos[rows]] * w_share[rows]).sum())  # the demand the cells bring into the scope
        out[("kita_places_per_100", scope_id)] = 100.0 * num / weight if weight > 0 else np.nan
    return out


def _weights_np(b: Bundle, res: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell, unit_id, cell_share) of the areal weights as plain numpy arrays (cached per baseline bundle)."""
    base = getattr(b, "base", b)
    key = (id(base), res, "weights")
    if key not in _CENTRES:
        w = base.weights(res)
        _CENTRES[key] = (base, (w["cell"].to_numpy(dtype=object), w["unit_id"].astype(str).to_numpy(dtype=object),
                                w["cell_share"].to_numpy(dtype=float)))
    return _CENTRES[key][1]


_CENTRES: dict = {}
_BASELINE: OrderedDict = OrderedDict()


def _baseline_measures(bundle: Bundle, where: _Places, period: str, settings: Settings) -> dict[tuple[str, str], float]:
    """`_measures` of the baseline, cached per (bundle, places, period, settings): editing a scenario recomputes only its side."""
    key = (id(bundle), bundle.manifest.built_at, where, period, repr(sorted(settings.values.items())))
    hit = _BASELINE.get(key)
    if hit is not None:
        _BASELINE.move_to_end(key)
        return hit[1]
    out = _measures(bundle, where, period, settings)
    _BASELINE[key] = (bundle, out)
    while len(_BASELINE) > 32:
        _BASELINE.popitem(last=False)
    return out


def _centres(b: Bundle, res: int) -> np.ndarray:
    base = getattr(b, "base", b)
    key = (id(base), res)
    if key not in _CENTRES:
        _CENTRES[key] = (base, cell_centres_xy(hex_to_cells(base.cells(res))))
    return _CENTRES[key][1]


def _cell_units(b: Bundle, res: int) -> np.ndarray:
    base = getattr(b, "base", b)
    key = (id(base), res, "unit")
    if key not in _CENTRES:
        import h3

        latlng = np.array([h3.cell_to_latlng(c) for c in base.cells(res)])
        _CENTRES[key] = (base, locate_points(base, latlng[:, 1], latlng[:, 0]))
    return _CENTRES[key][1]


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


def _title(key: str, bundle: Bundle, settings: Settings) -> tuple[str, str, str, str]:
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


def _scope(bundle: Bundle, scope_id: str, where: _Places) -> tuple[str, str]:
    if scope_id == "city":
        return "city", bundle.manifest.title
    if scope_id in where.catchments:
        c = school_mod.catchments(bundle)
        return "area", str(c.loc[scope_id, "name"]) if "name" in c.columns and pd.notna(c.loc[scope_id, "name"]) else scope_id
    units = bundle.units.set_index("unit_id")
    level = str(units.loc[scope_id, "level"])
    return ("district" if level == bundle.levels[0].id else "area"), str(units.loc[scope_id, "name"])


def _assumptions(scenario: Scenario, settings: Settings, period: str) -> list[tuple[str, str]]:
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


def scenario_effects(bundle: Bundle, settings: Settings, scenario: Scenario, period: str | None = None) -> Effects:
    """Key effects of `scenario` at `period` (default: latest): baseline, scenario, difference and low/high per figure.

    Figures (where the bundle has the data): residents added in each touched finest unit (total, under 6, 6–15, with
    migration background) and the city's residents; the unit's migration-background share; Kita demand and 2SFCA places
    per 100 children in demand in the unit and its district; children 6–12 per 100 pupils in the primary-school
    catchment(s) of the sites; dissimilarity D (×100) of the default group in the city and the district; for facility
    types added or changed: residents and need-weighted residents within the coverage distance (city) and the mean
    walking distance in the unit; green space per resident and usage pressure in the unit.
    """
    if settings.mode == "portal":
        from ..query import ParameterError

        raise ParameterError("scenario", "(a scenario)", ["(none: the public portal shows the baseline only)"])
    period = period or bundle.periods[-1]
    if period not in bundle.periods:
        from ..query import ParameterError

        raise ParameterError("period", period, bundle.periods)
    if scenario.is_empty:
        return Effects([], _assumptions(scenario, settings, period), period)
    with using_settings(settings):
        validate_scenario(bundle, scenario, settings)
        where = _where(bundle, scenario)
        base = _baseline_measures(bundle, where, period, settings)
        central = _measures(with_scenario(bundle, scenario, "central", settings), where, period, settings)
        guessed = any(isinstance(i, (Housing, NewAccommodation)) for i in scenario.interventions)
        low = _measures(with_scenario(bundle, scenario, "low", settings), where, period, settings) if guessed else central
        high = _measures(with_scenario(bundle, scenario, "high", settings), where, period, settings) if guessed else central
    src = [bundle.sources[k].title for k in ("population", "demo") if k in bundle.sources]
    source = "; ".join([*src, SCENARIO_SOURCE_DE])
    rows = []
    for (key, scope_id), b in base.items():
        s = central.get((key, scope_id), np.nan)
        de, en, ude, uen = _title(key, bundle, settings)
        scope, name = _scope(bundle, scope_id, where)
        lo, hi = low.get((key, scope_id), np.nan), high.get((key, scope_id), np.nan)
        rows.append(Effect(key, de, en, ude, scope, name, b, s, s - b, float(np.fmin(lo, hi)), float(np.fmax(lo, hi)), uen, scope_id, period, source))
    order = {"area": 0, "district": 1, "city": 2}
    rows.sort(key=lambda r: (order[r.scope], r.scope_id))
    return Effects(rows, _assumptions(scenario, settings, period), period)
