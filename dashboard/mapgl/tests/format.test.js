// Unit tests of the map engine's pure parts (node --test; run by tests/dashboard/test_mapgl_js.py).
import assert from "node:assert/strict";
import {test} from "node:test";

import {colourLut, lutColour, parseColour} from "../src/colour.js";
import {formatValue, hoverText, niceTicks, stepDigits} from "../src/format.js";
import {centroid, insideBox, insidePolygon} from "../src/geometry.js";

test("numbers in German and English separators, as plotly.js writes them", () => {
    assert.equal(formatValue(1234.56, ",.1f", ",."), "1.234,6");
    assert.equal(formatValue(1234.56, ",.1f", ".,"), "1,234.6");
    assert.equal(formatValue(1234.56, ".1f", ",."), "1234,6");  // no grouping without ","
    assert.equal(formatValue(-0.04, "+.1f", ",."), "+0,0");  // a zero has no minus
    assert.equal(formatValue(2.5, "+.1f", ",."), "+2,5");
    assert.equal(formatValue(-2.5, "+.1f", ",."), "-2,5");
    assert.equal(formatValue(3712345, ",.0f", ",."), "3.712.345");
    assert.equal(formatValue(NaN, ",.0f", ",."), "");
});

test("hover text: template markup kept, values escaped, the <extra> box dropped", () => {
    const t = "<b>%{text}</b><br>Anteil: %{z:.1f} %<br>Einwohner/innen: %{customdata:,.0f}<extra></extra>";
    assert.equal(hoverText(t, {text: "Kreuzberg", z: 41.25, customdata: 12345}, ",."),
                 "<b>Kreuzberg</b><br>Anteil: 41,3 %<br>Einwohner/innen: 12.345");
    const evil = hoverText(t, {text: "<img src=x onerror=alert(1)><b onclick=x>", z: 1, customdata: 1}, ",.");
    assert.ok(!evil.includes("<img") && !evil.includes("<b onclick"), evil);
    assert.ok(evil.includes("&lt;img"), evil);
    // markup-looking text with attributes, entities or case tricks stays text
    for (const text of ["<B onclick=x>", "<br onload=x>", "&lt;b&gt;", "<script>alert(1)</script>", "<svg/onload=alert(1)>"]) {
        const out = hoverText("%{text}", {text}, ",.");
        assert.ok(!/<(?!\/?(b|i|em|strong|sup|sub)>|br\/?>)/i.test(out), `${text} → ${out}`);
    }
    // a name's own line break (area_text joins head and notes with <br>) stays a line break
    assert.equal(hoverText("%{text}", {text: "A<br>Hinweis"}, ",."), "A<br>Hinweis");
    // no value: the field is empty, not 0
    assert.equal(hoverText("Wert: %{z:.1f}", {z: NaN}, ",."), "Wert: ");
});

test("nice ticks, written with the decimals their step needs", () => {
    assert.deepEqual(niceTicks(0, 100, 5).values, [0, 20, 40, 60, 80, 100]);
    assert.equal(niceTicks(0, 0.01, 5).digits, 3);
    const quarter = niceTicks(0, 12, 5);  // a step of 2.5: 2,5 and 7,5 must not read "3" and "8"
    assert.deepEqual(quarter.values, [0, 2.5, 5, 7.5, 10]);
    assert.equal(quarter.digits, 1);
    assert.equal(stepDigits(25), 0);
    assert.equal(stepDigits(0.25), 2);
});

test("colours and colour scales", () => {
    assert.deepEqual(parseColour("#c8c8c8"), [200, 200, 200, 255]);
    assert.deepEqual(parseColour("rgba(60,60,60,0.35)"), [60, 60, 60, 89]);
    const lut = colourLut([[0, "#000000"], [1, "#ffffff"]]), out = new Uint8Array(4);
    lutColour(lut, 0.5, out, 0);
    assert.ok(Math.abs(out[0] - 128) <= 1);
    lutColour(lut, 7, out, 0);  // clamped
    assert.equal(out[0], 255);
    const steps = colourLut([[0, "#ff0000"], [0.5, "#ff0000"], [0.5, "#0000ff"], [1, "#0000ff"]]);
    lutColour(steps, 0.49, out, 0);
    assert.equal(out[0], 255);
    lutColour(steps, 0.51, out, 0);
    assert.equal(out[2], 255);
});

test("selection geometry", () => {
    const square = {type: "Polygon", coordinates: [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]};
    assert.deepEqual(centroid(square), [1, 1]);
    assert.ok(insideBox(1, 1, [0, 0, 2, 2]) && !insideBox(3, 1, [0, 0, 2, 2]));
    const lasso = [[0, 0], [10, 0], [10, 10], [5, 2], [0, 10]];
    assert.ok(insidePolygon(5, 1, lasso) && !insidePolygon(5, 8, lasso));
});
