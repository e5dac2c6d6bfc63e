// Where dcc.Graph loads plotly.js from under the WebGL engine (node --test; run by tests/dashboard/test_mapgl_js.py).
import assert from "node:assert/strict";
import {test} from "node:test";

import {useNamedPlotly} from "../src/plotly-url.js";

function page(content) {
    const meta = content === null ? null : {content};
    return {baseURI: "https://atlas.example/prefix/", querySelector: (selector) => (selector.includes("quartiersatlas-plotly") ? meta : null)};
}

test("the page's basic bundle stays the address, whatever Dash's renderer writes later", () => {
    const win = {};
    assert.equal(useNamedPlotly(page("/prefix/_dash-component-suites/dashboard/mapgl/dist/plotly-basic.min.js"), win),
                 "https://atlas.example/prefix/_dash-component-suites/dashboard/mapgl/dist/plotly-basic.min.js");
    win._dashPlotlyJSURL = "/prefix/_dash-component-suites/plotly/package_data/plotly.min.js"; // the renderer's write
    assert.equal(win._dashPlotlyJSURL, "https://atlas.example/prefix/_dash-component-suites/dashboard/mapgl/dist/plotly-basic.min.js");
});

test("without the page's meta (the Plotly engine) or with plotly.js already there, Dash's own address is kept", () => {
    for (const [doc, win] of [[page(null), {}], [page(""), {}], [page("/x.js"), {Plotly: {}}]]) {
        assert.equal(useNamedPlotly(doc, win), null);
        win._dashPlotlyJSURL = "/plotly.min.js";
        assert.equal(win._dashPlotlyJSURL, "/plotly.min.js");
    }
});
