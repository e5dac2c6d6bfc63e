"""Settings: one table in config.toml, overridable by QUARTIERSATLAS_<NAME> environment variables."""

from __future__ import annotations

import json
import os
import tomllib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
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


# The settings of the app as a whole; each topic adds its own rows (`layers.topics.SETTINGS` has them all).
CORE_SETTINGS: tuple[Setting, ...] = (
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
    Setting("detour_factor", float, 1.3, "Walking distance / straight-line distance of the default router (all distance-based layers)."),
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


@cache
def known_settings() -> dict[str, Setting]:
    """Every setting by name: the core rows here and each topic's own (`layers.topics.SETTINGS`)."""
    # The topics' modules import this one (Settings, Setting), so their rows are read when settings are first loaded.
    from .topics import SETTINGS

    return {row.name: row for row in SETTINGS}


def load_settings(config_path: Path | str | None = None, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Read config.toml, apply QUARTIERSATLAS_* environment variables, then keyword overrides."""
    path = Path(config_path or os.environ.get(ENV_PREFIX + "CONFIG", DEFAULT_CONFIG)).resolve()
    environ = os.environ if environ is None else environ
    known = known_settings()
    values = {s.name: s.default for s in known.values()}
    if path.exists():
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("settings", {})
        for name, raw in table.items():
            if name not in known:
                raise SettingsError(f"{path}: unknown setting {name!r}; known: {', '.join(known)}")
            values[name] = _coerce(known[name], raw, str(path))
    for setting in known.values():
        env_name = ENV_PREFIX + setting.name.upper()
        if env_name in environ:
            values[setting.name] = _coerce(setting, environ[env_name], f"environment variable {env_name}")
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _coerce(known[name], raw, "command line")
    for setting in known.values():
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
