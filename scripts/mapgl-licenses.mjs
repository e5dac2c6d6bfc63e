// Put the licence texts of every package bundled into a script of dashboard/mapgl/dist (the map engine, the regenerator
// runtime) at the top of that script (a /*! … */ comment that minifiers keep): deck.gl, luma.gl, loaders.gl, math.gl,
// probe.gl, earcut, regenerator-runtime and the rest are MIT/ISC/BSD/Apache licensed, and those licences ask that the
// notice travels with the code. Only packages esbuild really bundled (its metafile) count.
// Usage: node scripts/mapgl-licenses.mjs BUNDLE.js META.json
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";

const [bundle, metafile] = process.argv.slice(2);
const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const bundled = new Set(Object.keys(JSON.parse(readFileSync(metafile, "utf8")).inputs)
    .map((f) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(f)).filter(Boolean).map((m) => m[1]));
rmSync(metafile);
const byText = new Map(); // one licence text → the packages under it (most share the same MIT text)
for (const [path, meta] of Object.entries(lock.packages)) {
    if (!bundled.has(path)) { continue; }
    const file = existsSync(path) ? readdirSync(path).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f)) : null;
    const text = file ? readFileSync(join(path, file), "utf8").trim() : `License: ${meta.license || "see the package"}`;
    const name = `${path.replace(/^.*node_modules\//, "")} ${meta.version} (${meta.license || "?"})`;
    byText.set(text, [...(byText.get(text) || []), name]);
}
const parts = [...byText].map(([text, names]) => `${[...new Set(names)].join(", ")}:\n\n${text}`);
const notice = `/*! Quartiersatlas (dashboard/mapgl/dist). Bundled third-party packages and their licences:\n\n${
    parts.join("\n\n----------------------------------------\n\n").replace(/\*\//g, "* /")}\n*/\n`;
writeFileSync(bundle, notice + readFileSync(bundle, "utf8"));
