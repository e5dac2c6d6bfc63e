/* Hover templates and numbers as plotly.js writes them: "%{z:,.1f}", "%{customdata:,.0f}", "%{text}", "%{location}",
   with the figure's separators (layout.separators: decimal mark, then thousands mark). */

const ALLOWED = /&lt;(\/?(?:b|i|em|strong|sup|sub)|br\s*\/?)&gt;/g;

function escapeHtml(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A number in a d3 format of the forms the layers use ([+][,][.N]f, [,][.N]%, [,]d) and the given separators. */
export function formatValue(value, spec, separators) {
    if (value === null || value === undefined || !Number.isFinite(Number(value))) { return ""; }
    const m = /^([+-]?)(,?)(?:\.(\d+))?([fd%]?)$/.exec(spec || "");
    const [dec, thou] = [(separators || ".,")[0], (separators || ".,")[1] || ""];
    let v = Number(value), digits = 6, type = "g";
    if (m) {
        type = m[4] || "g";
        digits = m[3] !== undefined ? Number(m[3]) : (type === "d" ? 0 : 6);
        if (type === "%") { v *= 100; }
        if (type === "d") { digits = 0; }
    }
    let text;
    if (type === "g") {
        text = String(Number(v.toPrecision(6)));
    } else {
        text = Math.abs(v).toFixed(digits);
        if (Number(text) === 0) { v = 0; } // no "-0,0"
        text = (v < 0 ? "-" : "") + text;
    }
    let [int, frac] = text.replace("-", "").split(".");
    if (m && m[2] === ",") { int = int.replace(/\B(?=(\d{3})+(?!\d))/g, thou); }
    const sign = v < 0 ? "-" : (m && m[1] === "+" ? "+" : "");
    return sign + int + (frac !== undefined ? dec + frac : "") + (type === "%" ? "%" : "");
}

/** The hover text of one mark: the template's own markup kept, every value escaped, only simple tags let through. */
export function hoverText(template, fields, separators) {
    const body = template.replace(/<extra>[\s\S]*?<\/extra>/g, "");
    const filled = body.replace(/%\{(\w+)(?::([^}]*))?\}/g, (_, name, spec) => {
        const v = fields[name];
        if (v === undefined || v === null || (typeof v === "number" && !Number.isFinite(v))) { return ""; }
        return typeof v === "number" || spec ? formatValue(v, spec || "", separators) : String(v);
    });
    return escapeHtml(filled).replace(ALLOWED, "<$1>");
}

/** About `count` round tick values between lo and hi, and the decimals their step needs. */
export function niceTicks(lo, hi, count) {
    const span = hi - lo;
    if (!(span > 0)) { return {values: [lo], digits: 0}; }
    let step = Math.pow(10, Math.floor(Math.log10(span / count)));
    for (const m of [1, 2, 2.5, 5, 10]) { if (span / (step * m) <= count) { step *= m; break; } }
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) { out.push(Math.round(v / step) * step); }
    return {values: out, digits: stepDigits(step)};
}

/** The decimals a tick step needs to be written exactly: 0.002 → 3, 2.5 → 1, 25 → 0. */
export function stepDigits(step) {
    let digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    while (digits < 10 && Math.abs(Math.round(step * 10 ** digits) - step * 10 ** digits) > 1e-6) { digits += 1; }
    return digits;
}
