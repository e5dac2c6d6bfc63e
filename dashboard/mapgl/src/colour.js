/* Colours of the figure dict: CSS colour strings and Plotly colour scales ([[position, colour], ...]). */

const NAMED = {white: [255, 255, 255, 255], black: [0, 0, 0, 255], transparent: [0, 0, 0, 0]};

/** "#rgb", "#rrggbb", "rgb(r,g,b)", "rgba(r,g,b,a)" or a few names as [r, g, b, a] (0–255). */
export function parseColour(text) {
    const s = String(text || "").trim().toLowerCase();
    if (NAMED[s]) { return NAMED[s].slice(); }
    if (s[0] === "#") {
        const hex = s.length === 4 ? s.slice(1).split("").map((c) => c + c).join("") : s.slice(1, 7);
        const n = parseInt(hex, 16);
        return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255];
    }
    const m = /^rgba?\(([^)]*)\)$/.exec(s);
    if (m) {
        const p = m[1].split(",").map((x) => parseFloat(x));
        return [p[0], p[1], p[2], Math.round(255 * (p.length > 3 ? p[3] : 1))].map((x) => Math.max(0, Math.min(255, Math.round(x))));
    }
    return [128, 128, 128, 255];
}

const LUT_SIZE = 1024;
const luts = new WeakMap();

/** A colour scale sampled at 1,024 positions, linear in RGB between its stops as plotly.js interpolates. */
export function colourLut(scale) {
    let lut = luts.get(scale);
    if (lut) { return lut; }
    const stops = scale.map(([p, c]) => [Number(p), parseColour(c)]);
    lut = new Uint8Array(LUT_SIZE * 4);
    for (let i = 0; i < LUT_SIZE; i++) {
        const t = i / (LUT_SIZE - 1);
        let k = 0;
        while (k < stops.length - 2 && t > stops[k + 1][0]) { k++; }
        const [p0, c0] = stops[k], [p1, c1] = stops[Math.min(k + 1, stops.length - 1)];
        const f = p1 > p0 ? Math.min(1, Math.max(0, (t - p0) / (p1 - p0))) : 1;
        for (let j = 0; j < 4; j++) { lut[4 * i + j] = Math.round(c0[j] + f * (c1[j] - c0[j])); }
    }
    luts.set(scale, lut);
    return lut;
}

/** Write the colour at `t` (0–1, clamped) of `lut` into `out` at `offset`. */
export function lutColour(lut, t, out, offset) {
    const i = 4 * Math.round(Math.min(1, Math.max(0, t)) * (LUT_SIZE - 1));
    out[offset] = lut[i]; out[offset + 1] = lut[i + 1]; out[offset + 2] = lut[i + 2]; out[offset + 3] = lut[i + 3];
}
