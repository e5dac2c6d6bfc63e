"""Settings: one table in config.toml, overridable by QUARTIERSATLAS_<NAME> environment variables."""

from __future__ import annotations

import json
import os
import tomllib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "QUARTIERSATLAS_"
BOOL_WORDS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.toml"


@dataclass(frozen=True)
class Setting:
    """One setting: its name, type, default and what it does (documented in docs/settings.md)."""

    name: str
    type: type
    default: Any
    description: str
    choices: tuple[Any, ...] = ()
    is_path: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("city", str, "auto", "City bundle the app serves: `berlin`, `demo`, a described city (`koeln`), or `auto` (Berlin where its "
            "folder is found, else the demo city).", ("auto", "berlin", "demo", "koeln")),
    Setting("berlin_dir", str, "../shared/data/berlin", "Folder of the Berlin open-data files (read only, never copied).", is_path=True),
    Setting("koeln_dir", str, "../shared/data/koeln", "Folder of the Cologne open-data files (read only, never copied; data/cities/koeln.toml "
            "describes them).", is_path=True),
    Setting("bundle_dir", str, "data/bundles", "Folder where builds write city bundles (one sub-folder per bundle).", is_path=True),
    Setting("demo_size", str, "city", "Size of the synthetic demo city built by default: `small`, `city` or `berlin`.", ("small", "city", "berlin")),
    Setting("demo_seed", int, 42, "Random seed of the synthetic demo city; the same seed builds the same city."),
    Setting("mode", str, "planner", "Deployment mode: `planner` (everything) or `portal` (public, read-only, disclosure control).", ("planner", "portal")),
    Setting("language", str, "de", "Default UI language: `de` or `en`.", ("de", "en")),
    Setting("host", str, "127.0.0.1", "Host the server binds to."),
    Setting("port", int, 8050, "Port the server listens on."),
    Setting("tile_url", str, "", "Optional raster tile URL template ({z}/{x}/{y}); empty means no external tiles, the city's outlines are the context."),
    Setting("map_engine", str, "webgl", "How the browser draws the map: `webgl` (deck.gl, recolours without rebuilding; built by "
            "scripts/setup-js.sh) or `plotly` (Plotly's choroplethmap, the engine before; also used when the WebGL bundle is not built).",
            ("webgl", "plotly")),
    Setting("tile_attribution", str, "", "Credit line shown on the map for the tiles of `tile_url` (required by most tile licences)."),
    Setting("min_cases", int, 3, "Disclosure: values from fewer cases than this are suppressed in the portal (BRIEF §6)."),
    Setting("min_residents", int, 50, "Disclosure: values for cells or units with fewer residents than this are suppressed in the portal (BRIEF §6)."),
    Setting("h3_resolutions", list, [7, 8, 9, 10], "H3 resolutions (7–10) a build prepares; the app offers those of the bundle it serves."),
    Setting("default_layer", str, "migration_share", "Layer shown when the app opens."),
    Setting("default_group", str, "mig_bg", "Population group shown when the app opens."),
    Setting("cache_type", str, "SimpleCache", "flask-caching backend: `SimpleCache`, `FileSystemCache`, `RedisCache`, or `NullCache` (no caching; benchmarks).",
            ("SimpleCache", "FileSystemCache", "RedisCache", "NullCache")),
    Setting("cache_dir", str, "data/cache", "Folder of the FileSystemCache.", is_path=True),
    Setting("cache_redis_url", str, "", "Redis URL for the RedisCache, e.g. redis://127.0.0.1:6379/0."),
    Setting("answer_cache", bool, True, "Portal: keep whole answers (Dash callbacks, /api/v1) in the cache, keyed by request body or "
            "address; a repeated view costs ~1 ms instead of rebuilding its figure (~12 ms at Planungsraum)."),
    # --- segregation ---
    # --- education (Kita and school) ---
    Setting("kita_take_up_under_3", float, 0.466, "Share of children under 3 who attend a Kita (0–1); Berlin 46.6 % (AfS Berlin-Brandenburg, 1 March 2022)."),
    Setting("kita_take_up_3_6", float, 0.921, "Share of children from 3 to school age in a Kita (0–1); Berlin 92.1 % (AfS Berlin-Brandenburg, 1 March 2023)."),
    Setting("kita_fca_radius_m", float, 1000.0, "Walking radius of the Kita 2SFCA and of Kita catchments, in walking metres."),
    Setting("kita_fca_decay", str, "gaussian", "Distance decay of the Kita 2SFCA: `step` (classic 2SFCA), `linear`, `gaussian` or `exponential`.",
            ("step", "linear", "gaussian", "exponential")),
    Setting("kita_fca_decay_param", float, 1.0, "β of the `exponential` distance decay, per walking kilometre (weight exp(−β·d))."),
    Setting("detour_factor", float, 1.3, "Walking distance / straight-line distance of the default router (all distance-based layers)."),
    Setting("publish_facility_compositions", bool, False, "The authority publishes facility-level compositions; only then may they reach the public portal."),
    # --- infrastructure, public space, funding ---
    *(Setting(f"coverage_m_{kind}", int, metres, f"Coverage distance for {label}, walking metres: residents within it count as served. {why}")
      for kind, label, metres, why in (
          ("kita", "Kitas", 500, "Planning convention of short ways for under-6s (issue default)."),
          ("primary_school", "primary schools", 1000, "Convention 'kurze Beine, kurze Wege': a primary school within about 1 km."),
          ("secondary_school", "secondary schools", 2000, "Project convention (older pupils walk or cycle further)."),
          ("school_other", "other schools", 2000, "Project convention (vocational and special schools serve larger areas)."),
          ("youth_club", "youth clubs", 1000, "Project convention."),
          ("library", "libraries", 1500, "Project convention."),
          ("community_centre", "community and neighbourhood centres", 1000, "Project convention."),
          ("meeting_place", "meeting places", 1000, "Project convention."),
          ("place_of_worship", "places of worship", 1000, "Project convention."),
          ("sports", "sports centres", 1000, "Project convention."),
          ("playground", "playgrounds", 500, "Issue default; DIN 18034 names 200 m (under 6) to 400 m (6 to 12) for play spaces."),
          ("park", "parks", 500, "Berlin Landschaftsprogramm: wohnungsnahe Grünanlagen (from 0.5 ha) within 500 m."),
          ("health", "doctors and pharmacies", 1000, "Project convention."),
          ("transit_stop", "public-transport stops", 400, "Nahverkehrsplan Berlin 2019–2023: a stop within 300 m in dense and 400 m in "
           "other built-up areas."),
          ("shop", "shops for daily needs (supermarkets, markets)", 1000, "Project convention (Nahversorgung: about 10 minutes on foot)."),
      )),
    Setting("green_space_guideline_m2", float, 6.0,
            "Guideline of public green space per resident, m²: Berlin Landschaftsprogramm, 6 m² wohnungsnahe Grünanlagen per resident."),
    Setting("playground_standard_m2", float, 1.0, "Net play area per resident the standard asks for, m²: Berlin Kinderspielplatzgesetz, 1 m² per resident."),
    Setting("green_walking_distance_m", int, 500, "Walking distance (m) within which residents count towards the usage pressure of a green space."),
    Setting("funding_min_overlap", float, 0.5, "Share of a unit's area (0–1) that must lie in funding areas for the unit to count as funded."),
    # --- linked views ---
    # --- scenarios ---
    Setting("scenario_dir", str, "data/scenarios", "Folder where planners' saved scenarios are stored as JSON files (one file per scenario).", is_path=True),
    Setting("scenario_max_dwellings", int, 5000, "Largest number of dwellings one housing intervention may add (larger counts are refused as implausible)."),
    Setting("scenario_persons_min", float, 1.0, "Smallest plausible persons per dwelling a housing intervention may state."),
    Setting("scenario_persons_max", float, 5.0, "Largest plausible persons per dwelling a housing intervention may state."),
    Setting("scenario_persons_spread", float, 0.15,
            "Low–high range of persons per dwelling: low = value × (1 − spread), high = value × (1 + spread) (assumption)."),
    Setting("scenario_child_spread", float, 0.25,
            "Low–high range of the mix: the shares of residents under 18 × (1 ∓ spread), the other age bands rescaled (assumption)."),
    Setting("scenario_mix_new_build", list, [0.09, 0.10, 0.03, 0.10, 0.36, 0.13, 0.09, 0.10],
            "Age mix of new-build housing: shares of the eight age bands 0–6, 6–15, 15–18, 18–27, 27–45, 45–55, 55–65, 65+ (sum 1; assumption)."),
    Setting("scenario_mix_subsidised", list, [0.10, 0.13, 0.04, 0.10, 0.30, 0.12, 0.10, 0.11],
            "Age mix of subsidised (WBS) housing, same eight age bands (sum 1; assumption)."),
    Setting("scenario_reference_min_residents", int, 500,
            "A reference area with fewer residents than this is replaced by its parent unit for the resident mix (small areas give erratic mixes)."),
    Setting("scenario_max_interventions", int, 50, "Largest number of interventions one scenario may hold."),
    Setting("scenario_max_capacity", float, 10000.0, "Largest capacity (places, pupils or visitors) a new or changed facility may state."),
    Setting("suggest_k", int, 5, "Default number of sites the site suggestion proposes."),
    Setting("suggest_resolution", int, 9, "H3 resolution of the candidate sites and demand cells of the site suggestion."),
    # --- accommodation and housing ---
    Setting("accommodation_large_site_places", int, 100,
            "Accommodation: a site with at least this many places counts as large in the share of places in large sites (persons)."),
    Setting("accommodation_age_mix", list, [0.12, 0.16, 0.05, 0.20, 0.30, 0.09, 0.05, 0.03],
            "Age mix of residents of a new accommodation site: shares of the eight age bands 0–6, 6–15, 15–18, 18–27, 27–45, 45–55, "
            "55–65, 65+ (sum 1). Assumption after the BAMF asylum statistics (first applications 2023: about 28 % under 16); see "
            "docs/methods.md."),
    Setting("accommodation_occupancy", float, 0.9,
            "Share of a new site's places assumed occupied in the accommodation scenario (0–1; low/high: ∓ scenario_persons_spread)."),
    Setting("accommodation_nearby_m", int, 1000,
            "Site screening: existing accommodation places within this walking distance (m) of a candidate count as nearby."),
    Setting("screening_weights", str,
            '{"kita": 0.2, "school": 0.2, "health": 0.1, "transit": 0.15, "meeting": 0.1, "shop": 0.1, "social": 0.05, "dispersal": 0.1}',
            "Site screening: JSON object of component → weight (normalised to sum 1; 0 leaves a component out). Components: Kita and "
            "primary-school places with free capacity, primary care, public transport, meeting places, shops, social context, "
            "existing accommodation nearby."),
    # --- disclosure ---
    Setting("cell_key_secret_file", str, "data/secret/cell-key.secret",
            "Disclosure: file with the portal's secret for the cell-key perturbation of counts (32 random bytes, created at the first "
            "portal start with mode 0600). Keep it private and keep it for the life of the portal: a new secret gives every count a new "
            "noise. Outside the bundle folder, so a rebuild keeps it.", is_path=True),
    Setting("group_min_level", str, "{}",
            "Disclosure: JSON object of group-id prefix → the finest level on which such groups are published in the portal, e.g. "
            "`{\"origin_\": \"bezirksregion\"}` (origin regions from Bezirksregion upward; finer levels and H3 show them as not shown)."),
    Setting("portal_index_min_units", int, 10,
            "Disclosure: in the portal, segregation indices are published only for areas made of at least this many units or cells, "
            "at 3 decimals, computed on the published (perturbed) counts."),
    Setting("suppression_fallback", str, "suppress", "Disclosure: what a suppressed unit shows in the portal: `suppress` (\"not shown\") or `parent` "
            "(the value of its nearest published parent level, flagged; not for count-valued layers).", ("suppress", "parent")),
    Setting("min_count_overrides", str, "{}", "Disclosure: JSON object of layer id → minimum number of cases for that layer, "
            "e.g. `{\"migration_count\": 5}`; the larger of this and `min_cases` applies."),
    # --- portal hardening ---
    Setting("rate_limit_api", str, "120 per minute",
            "Portal: requests per client to /api/v1/* (Flask-Limiter syntax, e.g. `120 per minute; 2000 per day`); empty: no limit."),
    Setting("rate_limit_downloads", str, "30 per minute",
            "Portal: downloads per client (CSV/GeoJSON exports, PDFs, /geo/* geometry; Flask-Limiter syntax); empty: no limit."),
    Setting("rate_limit_callbacks", str, "600 per minute",
            "Portal: Dash callback requests per client (a page load makes none, or one per map overlay its link switches on, and counts "
            "its layout request; a period switch about 8, a click a few; Flask-Limiter syntax); empty: no limit."),
    Setting("public_base_url", str, "",
            "Absolute address of the app as the public reaches it (e.g. `https://atlas.example.de`), for the briefing's live link and "
            "QR code; empty: `http://<host>:<port>`. Never taken from the request's Host header, which clients can forge."),
    Setting("portal_permutations", int, 99,
            "Portal: permutations of the segregation p-values (fixed; not a request parameter in the portal; unit levels only)."),
    Setting("legal_dir", str, "data/legal", "Folder of the legal pages (Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit) "
            "as Markdown files `<page>.<de|en>.md`; a deployment's file replaces the shipped one (data/legal/README.md).", is_path=True),
    Setting("catalog_publisher", str, "", "Publisher named in the open-data catalogue (/api/v1/catalog) and the citation line, e.g. "
            "\"Bezirksamt Neukölln von Berlin\"; empty: \"Quartiersatlas\"."),
    Setting("legal_contact", str, "", "E-mail or web address for accessibility feedback and data-protection questions, shown on the legal pages."),
    Setting("worker_timeout_s", int, 120,
            "Serving: the time limit of one request, seconds: a worker whose request runs longer exits and gunicorn replaces it "
            "(dashboard/time_limit.py); also gunicorn's `timeout` for a worker that hangs as a whole."),
    Setting("graceful_timeout_s", int, 20,
            "Serving: seconds workers get to finish their requests when the server stops; then they are killed. Workers also die "
            "with their master (Linux PR_SET_PDEATHSIG), so none is left orphaned."),
    Setting("max_request_bytes", int, 16_777_216,
            "Largest request body accepted, bytes (413 above); the biggest legitimate one is a Dash callback carrying a map selection."),
    Setting("access_log", bool, True, "One JSON line per request on standard output (time, method, path, status, bytes, duration, anonymised client)."),
    Setting("proxy_count", int, 0, "Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host headers are trusted (0: none)."),
    Setting("cors_origins", str, "auto", "Origins whose scripts may read /api/v1, /geo and /ogc (GET only): `auto` (every origin in "
            "the portal, none for planners), `*`, a space-separated list of origins, or empty (none)."),
    Setting("embed_origins", str, "", "Origins allowed to embed the app in a frame, space-separated (e.g. `https://www.berlin.de`); empty: no framing."),
    # --- briefing and area profile ---
    Setting("briefing_enabled", bool, True, "Serve the council briefing page `/briefing` (print and projection); false: 404."),
    Setting("area_profile_enabled", bool, True, "Serve the area profile `/area/<id>` (Quartiersmanager view; `/?area=<id>` opens it); false: 404."),
)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


class SettingsError(ValueError):
    """A setting in config.toml or the environment has a wrong name, type or value."""


@dataclass(frozen=True)
class Settings:
    """Resolved settings; `values` maps every setting name to its value, paths made absolute."""

    values: dict[str, Any] = field(default_factory=dict)
    config_path: Path = DEFAULT_CONFIG

    def __getattr__(self, name: str) -> Any:
        if name == "values" or name.startswith("__"):  # unpickling (Dask workers) looks up these before `values` exists
            raise AttributeError(name)
        try:
            return self.values[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def path(self, name: str) -> Path:
        """The path setting `name` as an absolute Path."""
        return Path(self.values[name])


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
    if setting.type is list:
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise SettingsError(f"{origin}: {setting.name} must be a JSON list, e.g. [7, 8, 9]") from exc
        if not isinstance(raw, list):
            raise SettingsError(f"{origin}: {setting.name} must be a list")
        if setting.name == "h3_resolutions" and not all(isinstance(r, int) and 7 <= r <= 10 for r in raw):
            raise SettingsError(f"{origin}: h3_resolutions must be integers from 7 to 10, got {raw!r}")
        return raw
    if setting.type is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text not in BOOL_WORDS:
            raise SettingsError(f"{origin}: {setting.name} must be true or false, got {raw!r}")
        return BOOL_WORDS[text]
    try:
        value = setting.type(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{origin}: {setting.name} must be of type {setting.type.__name__}, got {raw!r}") from exc
    if setting.choices and value not in setting.choices:
        raise SettingsError(f"{origin}: {setting.name} must be one of {', '.join(map(str, setting.choices))}; got {value!r}")
    return value


def load_settings(config_path: Path | str | None = None, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Read config.toml, apply QUARTIERSATLAS_* environment variables, then keyword overrides."""
    path = Path(config_path or os.environ.get(ENV_PREFIX + "CONFIG", DEFAULT_CONFIG)).resolve()
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    if path.exists():
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("settings", {})
        for name, raw in table.items():
            if name not in SETTINGS_BY_NAME:
                raise SettingsError(f"{path}: unknown setting {name!r}; known: {', '.join(SETTINGS_BY_NAME)}")
            values[name] = _coerce(SETTINGS_BY_NAME[name], raw, str(path))
    for setting in SETTINGS:
        env_name = ENV_PREFIX + setting.name.upper()
        if env_name in environ:
            values[setting.name] = _coerce(setting, environ[env_name], f"environment variable {env_name}")
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _coerce(SETTINGS_BY_NAME[name], raw, "command line")
    for setting in SETTINGS:
        if setting.is_path:
            p = Path(values[setting.name]).expanduser()
            values[setting.name] = str(p if p.is_absolute() else (path.parent / p).resolve())
    return Settings(values=values, config_path=path)


_ACTIVE: ContextVar[Settings | None] = ContextVar("quartiersatlas_settings", default=None)


@contextmanager
def using_settings(settings: Settings):
    """Make `settings` the ones layer computations read (`active_settings`) for the duration of a block.

    `layers.query.run_query` wraps every computation in this, so layers see the app's settings (thresholds,
    rates, radii) without a settings argument in every compute signature.
    """
    token = _ACTIVE.set(settings)
    try:
        yield settings
    finally:
        _ACTIVE.reset(token)


def activate(settings: Settings):
    """Make `settings` the active ones until `deactivate(token)` (the app does this around every request, so every
    computation of a request — layers, tables, panels — reads its own app's settings, never another app's)."""
    return _ACTIVE.set(settings)


def deactivate(token) -> None:
    _ACTIVE.reset(token)


def active_settings() -> Settings:
    """The settings of the running computation, or config.toml plus environment outside one."""
    return _ACTIVE.get() or load_settings()
