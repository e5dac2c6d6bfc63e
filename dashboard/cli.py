"""`quartiersatlas` command: build bundles, serve the app, validate bundles, run benchmarks."""

from __future__ import annotations

import argparse
import sys

from layers import DEMO_SIZES, SettingsError, build_city, build_many, bundle_path, default_city, known_cities, load_settings
from layers.bundle import BundleValidationError, read_manifest, validate_bundle_folder
from layers.sources import import_file

from .app import create_app
from .server import serve


def _current(folder) -> bool:
    """True when `folder` holds a bundle in the format this version reads."""
    try:
        read_manifest(folder)
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return False
    return True


def _build(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    if args.many:
        build_many(settings, args.many, scheduler=args.scheduler, workers=args.workers)
        return 0
    city = args.city or default_city(settings)
    if args.city is None and settings.city == "auto" and city == "demo":
        print(f"Berlin data not found at {settings.path('berlin_dir')}: building the synthetic demo city instead. "
              "For real data set berlin_dir in config.toml or QUARTIERSATLAS_BERLIN_DIR and run `quartiersatlas build berlin`.")
    if args.if_missing and _current(bundle_path(settings, city, args.size)):
        print(f"bundle exists: {bundle_path(settings, city, args.size)} (use without --if-missing to rebuild)")
        return 0
    build_city(settings, city, size=args.size, seed=args.seed)
    return 0


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, host=args.host, port=args.port, mode=args.mode)
    folder = bundle_path(settings, args.city, args.size)
    if not (folder / "manifest.json").exists():
        print(f"no bundle at {folder}: run `quartiersatlas build` first", file=sys.stderr)
        return 2
    if args.debug:
        create_app(settings, folder).run(host=settings.host, port=settings.port, debug=True)
        return 0
    serve(settings, folder, workers=args.workers)
    return 0


def _validate(args: argparse.Namespace) -> int:
    validate_bundle_folder(args.folder)
    print(f"{args.folder}: valid city bundle")
    return 0


def _import(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    folder = bundle_path(settings, args.city, args.size)
    import_file(folder, args.kind, args.file)
    print(f"imported {args.file} as {args.kind} into {folder}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from bench.run import main as bench_main  # every benchmark module: loaded only for `quartiersatlas bench`

    return bench_main(args)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="quartiersatlas", description="Quartiersatlas: quarter-level planning dashboard")
    p.add_argument("--config", help="path of config.toml (default: the project's, or QUARTIERSATLAS_CONFIG)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build a city bundle (default: the configured city)")
    b.add_argument("city", nargs="?", choices=known_cities(), help="berlin, demo or a described city such as koeln (default: config `city`)")
    b.add_argument("--size", choices=DEMO_SIZES, help="demo city size (default: config `demo_size`)")
    b.add_argument("--seed", type=int, help="demo city seed (default: config `demo_seed`)")
    b.add_argument("--if-missing", action="store_true", help="do nothing when the bundle exists")
    b.add_argument("--many", metavar="REGION_FILE", help="build every municipality of a region file (data/regions/*.toml) "
                   "in parallel on Dask, then the regional bundle")
    b.add_argument("--scheduler", help="with --many: address of a running Dask scheduler (tcp://host:8786); default: a local cluster")
    b.add_argument("--workers", type=int, default=2, help="with --many and no --scheduler: local worker processes (default 2)")
    b.set_defaults(func=_build)

    s = sub.add_parser("serve", help="serve the dashboard with gunicorn")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--mode", choices=("planner", "portal"))
    s.add_argument("--city", choices=known_cities())
    s.add_argument("--size", choices=DEMO_SIZES)
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--debug", action="store_true", help="Dash's development server with hot reload instead of gunicorn")
    s.set_defaults(func=_serve)

    v = sub.add_parser("validate", help="validate a bundle folder")
    v.add_argument("folder")
    v.set_defaults(func=_validate)

    i = sub.add_parser("import", help="import a user file (compositions, use counts, funding areas …) into a built bundle")
    i.add_argument("kind", help="what the file holds (see docs/bundle-format.md, section Imports)")
    i.add_argument("file", help="the CSV or GeoJSON file")
    i.add_argument("--city", choices=known_cities(), help="bundle to import into (default: config `city`)")
    i.add_argument("--size", choices=DEMO_SIZES)
    i.set_defaults(func=_import)

    r = sub.add_parser("bench", help="run the benchmarks and print a table")
    r.add_argument("--only", nargs="*", help="names of benchmarks to run (default: all)")
    r.add_argument("--repeat", type=int, default=15, help="repetitions of timed callbacks")
    r.set_defaults(func=_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (BundleValidationError, SettingsError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
