/*
 * Where dcc.Graph loads plotly.js from: the basic bundle the page names in its <meta name="quartiersatlas-plotly">
 * (dashboard/mapgl/__init__.py: use_basic_plotly, only under the WebGL engine), in place of the full bundle.
 *
 * Why: the charts beside the WebGL map draw bar and scatter traces only; the full bundle (4.8 MB, with MapLibre for the
 * map traces of the Plotly engine) took ~0.78 s of the main thread to evaluate after the first map, the basic one
 * (1.2 MB) ~0.15 s. dcc.Graph loads plotly.js from `window._dashPlotlyJSURL` unless `window.Plotly` exists; Dash's
 * renderer sets that address to the full bundle once it has mounted, so here it is an accessor that keeps the page's
 * own address (the renderer's write is ignored).
 */
export function useNamedPlotly(doc = document, win = window) {
    const meta = doc.querySelector('meta[name="quartiersatlas-plotly"]');
    if (!meta || !meta.content || win.Plotly) { return null; }
    const url = new URL(meta.content, doc.baseURI).href;
    Object.defineProperty(win, "_dashPlotlyJSURL", {get: () => url, set: () => {}, configurable: true});
    return url;
}
