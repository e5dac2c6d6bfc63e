/*
 * DeckMap: the map figure of dashboard/figures.py drawn with deck.gl (WebGL) instead of Plotly's choroplethmap.
 *
 * Why: plotly.js rebuilds every polygon on any value change (FIELD-NOTES: 1–1.35 s at 10k cells, 5.6–7.7 s at 70k).
 * Here the geometry of a basis is fetched once from its cached URL and tessellated once; a value update only
 * recomputes one colour per area and uploads it. The component reads the same figure dict as dcc.Graph (traces by
 * name, typed arrays, colour scales, hover templates, layout.map.layers, layout.meta) so every callback that patches the
 * map works unchanged, and it emits clickData and selectedData in dcc.Graph's shape ({points: [{curveNumber,
 * pointNumber, location, lon, lat, customdata}]}).
 *
 * Read by the browser tests and the browser benchmark: element.__deckmap.state() (values on screen, frame drawn).
 * Once its values are drawn whole it says so (map-drawn.js) to the bundle's AfterMap, which holds back plotly.js.
 */
import {Deck, MapView, WebMercatorViewport} from "@deck.gl/core";
import {BitmapLayer, GeoJsonLayer, ScatterplotLayer} from "@deck.gl/layers";
import {TileLayer} from "@deck.gl/geo-layers";
import {PathStyleExtension} from "@deck.gl/extensions";

import {colourLut, lutColour, parseColour} from "./colour.js";
import {hoverText, formatValue, niceTicks} from "./format.js";
import {centroid, extentDeg, insideBox, insidePolygon} from "./geometry.js";
import {AfterMap} from "./after-map.js";
import {values} from "./typed.js";
import {announceMapDrawn, frameDrawn, registerShowing, whenValuesShown} from "./map-drawn.js";
import {useNamedPlotly} from "./plotly-url.js";

const React = window.React;
const h = React.createElement;
const MAX_ALWAYS_OUTLINED = 3000; // areas outlined at every zoom (Berlin has 542 Planungsräume; H3 bases are larger)
const MIN_OUTLINE_PX = 8; // beyond that, an area gets its outline once it is this wide on screen (only those in view)
// small counts outlined at every zoom while there are at most this many: in software WebGL an outline costs ~0.3 ms a
// frame (Berlin H3 res 9 has 2,397 small cells in planner mode: 0.7 s a frame), so more wait for a closer zoom
const MAX_SMALL_ALWAYS = 500;
const RETRY_MS = 10000; // a failed geometry or outline request is asked again after this long, not on every frame
const WORDS = {
    de: {pan: "Verschieben", box: "Rechteck wählen", lasso: "Lasso wählen", zoomIn: "Vergrößern", zoomOut: "Verkleinern",
         reset: "Ansicht zurücksetzen", tools: "Kartenwerkzeuge", map: "Karte",
         keys: "Karte: mit den Pfeiltasten verschieben, mit + und − vergrößern und verkleinern"},
    en: {pan: "Pan", box: "Box select", lasso: "Lasso select", zoomIn: "Zoom in", zoomOut: "Zoom out", reset: "Reset view",
         tools: "Map tools", map: "map", keys: "Map: move with the arrow keys, zoom in and out with + and −"},
};

/** A GeoJsonLayer that only strokes: without the polygon fill sublayer, which GeoJsonLayer builds (tessellating every
 * polygon) even with `filled: false` (542 Planungsräume: ~100 ms on each new outline list, for nothing drawn). */
class OutlineLayer extends GeoJsonLayer {
    shouldRenderSubLayer(id, data) {
        return id !== "polygons-fill" && super.shouldRenderSubLayer(id, data);
    }
}
OutlineLayer.layerName = "OutlineLayer";
const geoCache = new Map(); // URL → Promise of a FeatureCollection, for the life of the page (the URL carries the build)


const geoFailed = new Map(); // URL → time of its last failure

function fetchGeo(url) {
    if (typeof url !== "string") { return Promise.resolve(url || {type: "FeatureCollection", features: []}); }
    const abs = new URL(url, document.baseURI).href;
    if (!geoCache.has(abs)) {
        if (Date.now() - (geoFailed.get(abs) || -Infinity) < RETRY_MS) { return Promise.reject(new Error(`${abs}: failed just now`)); }
        geoCache.set(abs, fetch(abs, {credentials: "same-origin"}).then((r) => {
            if (!r.ok) { throw new Error(`${abs}: HTTP ${r.status}`); }
            return r.json();
        }).catch((err) => { geoCache.delete(abs); geoFailed.set(abs, Date.now()); throw err; }));
    }
    return geoCache.get(abs);
}

useNamedPlotly(); // the charts' plotly.js: the basic bundle the page names, before Dash's renderer names the full one

// The geometry the page's HTML preloads for its first map (dashboard/first_view.py: geometry_preloads) is taken up as
// this bundle runs, before Dash has its layout: the answer is then read and parsed while the other scripts still run,
// not after React's first render of the page, which held it back on the main thread (0.38 s from request to parsed).
// A failure here does not hold the map's own request back for RETRY_MS: the map asks again when it mounts.
document.querySelectorAll("link[rel=preload][data-qa-geometry]").forEach((link) => {
    const url = link.getAttribute("href");
    fetchGeo(url).catch(() => geoFailed.delete(new URL(url, document.baseURI).href));
});

function language() {
    return document.documentElement.lang === "en" ? "en" : "de";
}

/** Centre and zoom that show `bounds` whole at this size: assets/map-view.js, shared with the Plotly engine's fit. */
function fitView(bounds, width, height) {
    const v = window.quartiersatlasMapView(bounds, width, height);
    return {longitude: v.lon, latitude: v.lat, zoom: v.zoom};
}

function linkView() {
    const m = /[?&]map=([0-9.]+)\/(-?[0-9.]+)\/(-?[0-9.]+)/i.exec(window.location.search);
    if (!m) { return null; }
    const v = {zoom: parseFloat(m[1]), latitude: parseFloat(m[2]), longitude: parseFloat(m[3])};
    return v.zoom >= 0 && v.zoom <= 22 && Math.abs(v.latitude) <= 85 && Math.abs(v.longitude) <= 180 ? v : null;
}

function sameView(a, b) {
    return !!a && !!b && Math.abs(a.zoom - b.zoom) < 1e-4 && Math.abs(a.longitude - b.longitude) < 1e-6
        && Math.abs(a.latitude - b.latitude) < 1e-6;
}

function traceIndex(data, name) {
    return (data || []).findIndex((tr) => tr && tr.name === name);
}

/** The colour bar of a trace (values, or a marker's numeric colours): title, gradient, ticks in the page's separators. */
function ColourBar({scale, lo, hi, title, tickvals, ticktext, digits, separators, side}) {
    const stops = scale.map(([p, c]) => `${c} ${(100 * (1 - p)).toFixed(2)}%`).reverse().join(", ");
    let ticks;
    if (tickvals && ticktext && tickvals.length === ticktext.length) {
        ticks = tickvals.map((v, i) => [v, ticktext[i]]);
    } else {
        const nice = niceTicks(lo, hi, 5);
        ticks = nice.values.map((v) => [v, formatValue(v, `,.${nice.digits}f`, separators)]);
    }
    const span = hi - lo || 1;
    return h("div", {className: `qa-deck-colourbar qa-deck-colourbar-${side}`, "aria-hidden": "true"},
        title ? h("div", {className: "qa-deck-colourbar-title"}, title) : null,
        h("div", {className: "qa-deck-colourbar-body"},
            h("div", {className: "qa-deck-colourbar-ramp", style: {background: `linear-gradient(to bottom, ${stops})`}}),
            h("div", {className: "qa-deck-colourbar-ticks"},
                ticks.filter(([v]) => v >= lo - 1e-9 * Math.abs(span) && v <= hi + 1e-9 * Math.abs(span)).map(([v, text], i) =>
                    h("span", {key: i, style: {top: `${(100 * (hi - v) / span).toFixed(2)}%`}}, text)))));
}

class DeckMap extends React.Component {
    constructor(props) {
        super(props);
        this.root = React.createRef();
        this.canvasHolder = React.createRef();
        this.tooltip = React.createRef();
        this.labelLayer = React.createRef();
        this.lassoSvg = React.createRef();
        this.state = {mode: "pan", geoVersion: 0};
        this.geo = {url: null, features: [], byId: new Map()};
        this.outlines = new Map(); // source (URL or object) → FeatureCollection
        this.areas = {ids: [], features: [], centroids: new Float64Array(0), fill: new Uint8Array(0), line: new Uint8Array(0),
                      width: new Float32Array(0), top: new Int8Array(0), version: 0};
        this.viewState = null;
        this.fitted = null; // {key, view}: the bounds and size last fitted to, and the view that gave
        this.pendingLink = linkView();
        this.drawnVersion = -1;
        this.valuesVersion = 0;
        this.lastValues = null;
        this.stats = {rebuilds: 0, updates: 0, frames: 0, lastFrameMs: 0};
        // the geometry is on the first frame's critical path: ask for it now, while React still renders the page
        const data = (props.figure || {}).data || [], vi = traceIndex(data, "values");
        if (vi >= 0 && typeof data[vi].geojson === "string") { fetchGeo(data[vi].geojson).catch(() => {}); } // update() reports failures
    }

    componentDidMount() {
        const holder = this.canvasHolder.current;
        this.deck = new Deck({
            parent: holder,
            views: new MapView({repeat: false}),
            controller: {doubleClickZoom: true, keyboard: true, dragRotate: false, touchRotate: false},
            viewState: {longitude: 13.4, latitude: 52.5, zoom: 9},
            layers: [],
            useDevicePixels: true,
            deviceProps: {webgl: {preserveDrawingBuffer: false}},
            getCursor: ({isHovering, isDragging}) => (isDragging ? "grabbing" : isHovering ? "pointer" : "grab"),
            onViewStateChange: ({viewState}) => this.setView(viewState),
            onHover: (info) => this.onHover(info),
            onClick: (info) => this.onClick(info),
            onAfterRender: () => this.afterRender(),
            onError: (error) => { // what waits for the map need not
                console.error("map", error);
                this.failed = true;
                announceMapDrawn();
                frameDrawn();
            },
            // no frame while there is nothing to draw: the first one sizes the drawing buffer, a synchronous wait on the
            // GPU process that in software WebGL takes ~0.4 s at page load; later the GPU process has set up meanwhile
            // (`_drawLayers` is what deck.gl calls without this hook; deck.gl is pinned in package-lock.json)
            _customRender: (reason) => {
                if (!this.painted && !(this.deck.props.layers || []).length) { return; }
                this.painted = true;
                this.deck._drawLayers(reason);
            },
        });
        this.labelCanvas();
        // capture phase: the box or lasso starts before deck.gl's own pointer handling sees the press
        this.onPointerDown = (e) => this.startDraw(e);
        holder.addEventListener("pointerdown", this.onPointerDown, {capture: true});
        // the holder's size, read where the layout is fresh anyway: fit() and the viewport run on every draw, and reading
        // it there forced a layout of the whole page in the middle of the commit that brought new values (10–25 ms a
        // period switch); a new size may keep the view (panned by hand) but moves the labels
        this.resizeObserver = new ResizeObserver(() => {
            this.size = holder.getBoundingClientRect();
            this.fit();
            this.placeLabels();
        });
        this.resizeObserver.observe(holder);
        this.beforePrint = () => this.printImage(true);
        this.afterPrint = () => this.printImage(false);
        window.addEventListener("beforeprint", this.beforePrint);
        window.addEventListener("afterprint", this.afterPrint);
        this.root.current.__deckmap = {state: () => this.probe(), deck: this.deck};
        // the page's map: its values are shown once a frame has them whole, or when nothing can be drawn until its
        // geometry is in (the views need not wait for the network)
        this.showing = () => this.dead || this.failed || this.loading || this.valuesShown();
        registerShowing(this.showing);
        this.update();
    }

    componentDidUpdate(prev) {
        if (prev.figure !== this.props.figure) { this.update(); }
        this.labelCanvas();
    }

    /** Keyboard: the canvas takes focus (deck.gl's controller pans with the arrow keys, zooms with + and −), named in
     * the page's language (again after a language switch). */
    labelCanvas() {
        const canvas = this.canvasHolder.current && this.canvasHolder.current.querySelector("canvas"), words = WORDS[language()];
        if (!canvas || canvas.getAttribute("aria-label") === words.keys) { return; }
        canvas.tabIndex = 0;
        canvas.setAttribute("role", "application");
        canvas.setAttribute("aria-roledescription", words.map);
        canvas.setAttribute("aria-label", words.keys);
    }

    componentWillUnmount() {
        this.dead = true;
        frameDrawn(); // nothing to wait for any more
        registerShowing(null, this.showing);
        clearTimeout(this.linkTimer);
        clearTimeout(this.geoRetry);
        if (this.endDrag) { this.endDrag(); }
        this.resizeObserver.disconnect();
        this.canvasHolder.current.removeEventListener("pointerdown", this.onPointerDown, {capture: true});
        window.removeEventListener("beforeprint", this.beforePrint);
        window.removeEventListener("afterprint", this.afterPrint);
        this.deck.finalize();
    }

    figure() {
        return this.props.figure || {data: [], layout: {}};
    }

    /** What tests and the benchmark read: the first values, the number of areas drawn, whether the frame shows them. */
    probe() {
        const vi = traceIndex(this.figure().data, "values");
        const z = vi >= 0 ? values(this.figure().data[vi].z) : [];
        return {engine: "deck.gl", locations: this.areas.ids.length, drawn: this.drawnVersion === this.areas.version ? this.areas.ids.length : 0,
                idle: !this.loading && this.valuesShown(), drawn_at: this.drawnAt, z: Array.from(z.slice(0, 8)).join(","),
                view: this.viewState, stats: this.stats,
                not_shown: this.areas.top.filter((c) => c === traceIndex(this.figure().data, "not_shown")).length, selection: this.selectionIds || [], layers: (this.deck.props.layers || []).map((l) => l.id)};
    }

    update() {
        const fig = this.figure(), data = fig.data || [], vi = traceIndex(data, "values");
        const url = vi >= 0 ? data[vi].geojson : null;
        if (url && url !== this.geoWanted) {
            // until the new basis' geometry is in, nothing is drawn from the old one with the new ids
            this.loading = true;
            this.geoWanted = url;
            fetchGeo(url).then((fc) => {
                if (this.dead || this.geoWanted !== url) { return; }
                const features = fc.features || [], byId = new Map();
                features.forEach((f, i) => byId.set(String(f.id), i));
                this.geo = {url, features, byId};
                this.loading = false;
                this.draw();
            }).catch((err) => {
                if (this.dead || this.geoWanted !== url) { return; } // a newer basis is loading meanwhile
                this.loading = false;
                this.geoWanted = null; // the next figure update asks again, and so does this map once fetchGeo would
                clearTimeout(this.geoRetry);
                this.geoRetry = setTimeout(() => { if (!this.dead && this.geoWanted === null) { this.update(); } }, RETRY_MS + 100);
                announceMapDrawn(); // no values are coming: what waits for them need not
                console.error("map geometry", err);
            });
        }
        this.loadOutlines(fig);
        this.draw();
    }

    loadOutlines(fig) {
        const layers = ((fig.layout || {}).map || {}).layers || [];
        layers.forEach((l) => {
            if (l.visible === false || l.sourcetype !== "geojson" || this.outlines.has(l.source)) { return; }
            if (typeof l.source === "string") {
                this.outlines.set(l.source, null);
                fetchGeo(l.source).then((fc) => { if (!this.dead) { this.outlines.set(l.source, fc); this.draw(); } })
                    .catch((err) => { setTimeout(() => this.outlines.delete(l.source), RETRY_MS); console.error("map outline", err); });
            }
        });
    }

    /** Per-area colours and outlines from the values, small-count and not-shown traces (the same stacking as Plotly's). */
    computeAreas() {
        const data = this.figure().data || [];
        const vi = traceIndex(data, "values"), si = traceIndex(data, "small_counts"), hi = traceIndex(data, "not_shown");
        if (vi < 0 || this.loading || !this.geo.features.length || this.geo.url !== data[vi].geojson) { return false; }
        const vt = data[vi], st = si >= 0 ? data[si] : null, ht = hi >= 0 ? data[hi] : null;
        const key = [vt.locations, vt.z, vt.colorscale, vt.zmin, vt.zmax, vt.marker, st && st.z, st && st.marker, ht && ht.z, this.geo.features];
        if (this.lastValues && key.every((k, i) => k === this.lastValues[i])) { return false; }
        this.lastValues = key;
        const a = this.areas;
        const ids = values(vt.locations);
        if (a.ids !== ids || a.geometry !== this.geo.features) {
            this.stats.rebuilds += 1;
            const features = [], kept = [];
            for (let i = 0; i < ids.length; i++) {
                const f = this.geo.byId.get(String(ids[i]));
                if (f !== undefined) { features.push(this.geo.features[f]); kept.push(i); }
            }
            a.ids = ids;
            a.geometry = this.geo.features;
            a.features = features;
            a.position = Int32Array.from(kept); // area → position in the traces' arrays
            a.centroids = new Float64Array(features.length * 2);
            const widths = [];
            features.forEach((f, i) => {
                const c = centroid(f.geometry);
                a.centroids[2 * i] = c[0]; a.centroids[2 * i + 1] = c[1];
                if (i % 97 === 0) { widths.push(extentDeg(f.geometry)); }
            });
            widths.sort((x, y) => x - y);
            a.spanDeg = widths.length ? widths[widths.length >> 1] : 0;
            a.fill = new Uint8Array(features.length * 4);
            a.line = new Uint8Array(features.length * 4);
            a.width = new Float32Array(features.length);
            a.top = new Int8Array(features.length);
        }
        const z = values(vt.z), small = st ? values(st.z) : [], hidden = ht ? values(ht.z) : [];
        const lut = colourLut(vt.colorscale || [[0, "#ffffff"], [1, "#000000"]]);
        const lo = Number(vt.zmin), span = Number(vt.zmax) - lo || 1;
        const vOpacity = ((vt.marker || {}).opacity ?? 1), hOpacity = ((ht && ht.marker) || {}).opacity ?? 1;
        const grey = parseColour(((ht && ht.colorscale) || [[0, "#c8c8c8"]])[0][1]);
        const vLine = (vt.marker || {}).line || {}, sLine = ((st && st.marker) || {}).line || {};
        const vLineColour = parseColour(vLine.color || "rgba(255,255,255,0.6)"), sLineColour = parseColour(sLine.color || "#3c3c3c");
        const vWidth = vLine.width ?? 0.3, sWidth = sLine.width ?? 0.7;
        const smallList = [];
        for (let i = 0; i < a.features.length; i++) {
            const p = a.position[i], v = z[p];
            let top = -1;
            if (Number.isFinite(v)) {
                lutColour(lut, (v - lo) / span, a.fill, 4 * i);
                a.fill[4 * i + 3] = Math.round(a.fill[4 * i + 3] * vOpacity);
                top = vi;
            } else if (hidden.length && Number.isFinite(hidden[p])) {
                a.fill[4 * i] = grey[0]; a.fill[4 * i + 1] = grey[1]; a.fill[4 * i + 2] = grey[2];
                a.fill[4 * i + 3] = Math.round(grey[3] * hOpacity);
                top = hi;
            } else {
                a.fill[4 * i + 3] = 0;
            }
            const isSmall = small.length && Number.isFinite(small[p]);
            const lc = isSmall ? sLineColour : vLineColour;
            a.line[4 * i] = lc[0]; a.line[4 * i + 1] = lc[1]; a.line[4 * i + 2] = lc[2]; a.line[4 * i + 3] = lc[3];
            a.width[i] = isSmall ? sWidth : vWidth;
            a.top[i] = isSmall ? si : top;
            if (isSmall) { smallList.push(i); }
        }
        a.small = smallList;
        this.outlineKey = null;
        a.version += 1;
        this.valuesVersion += 1;
        return true;
    }

    /** Build deck.gl's layers from the figure (cheap: deck.gl diffs them; only changed attributes are recomputed). */
    draw() {
        if (!this.deck || this.dead) { return; }
        const fig = this.figure(), data = fig.data || [], layout = fig.layout || {};
        this.computeAreas();
        // `layers` are the fills; `below` (raster tiles) and `later` (outlines, overlays, points) wait for the first frame
        // that shows the fills: each kind of layer is one more shader program, and linking one is synchronous in
        // software WebGL (~0.4 s each at page load); the final picture is the same
        const a = this.areas, layers = [], below = [], later = [], mapLayers = ((layout.map || {}).layers) || [];
        // raster tiles (setting tile_url) below everything, as "below": "traces" puts them in Plotly
        mapLayers.filter((l) => l.sourcetype === "raster" && l.visible !== false).forEach((l, i) => below.push(new TileLayer({
            id: `tiles-${i}`, data: Array.isArray(l.source) ? l.source[0] : l.source, minZoom: 0, maxZoom: 19, tileSize: 256,
            renderSubLayers: (props) => {
                const {west, south, east, north} = props.tile.bbox;
                return new BitmapLayer(props, {data: null, image: props.data, bounds: [west, south, east, north]});
            },
        })));
        if (a.features.length) {
            // Fills only: outlines are a separate layer of the few areas that need one (see `outlined`). A stroke is a
            // path of instanced quads per edge; for 67,000 cells that is millions of vertices a frame (19 s a frame in
            // software WebGL, against 0.5 s for the fills).
            layers.push(new GeoJsonLayer({
                id: `areas-${this.geo.url}`, data: a.features, pickable: true, stroked: false, filled: true,
                getFillColor: (f, {index, target}) => copy4(a.fill, index, target),
                updateTriggers: {getFillColor: a.version},
            }));
            const chosen = this.outlined();
            if (chosen.length) {
                later.push(new OutlineLayer({
                    id: `outlines-${this.geo.url}`, data: this.featuresOf(chosen), pickable: false, stroked: true, filled: false,
                    lineWidthUnits: "pixels", getLineColor: (f, {index, target}) => copy4(a.line, chosen[index], target),
                    getLineWidth: (f, {index}) => a.width[chosen[index]],
                    updateTriggers: {getLineColor: [a.version, chosen], getLineWidth: [a.version, chosen]},
                }));
            }
        }
        const sel = traceIndex(data, "selection");
        if (sel >= 0 && this.geo.features.length) {
            const chosen = this.memo("selection", [data[sel].locations, this.geo.features], () => Array.from(values(data[sel].locations))
                .map((id) => this.geo.byId.get(String(id))).filter((i) => i !== undefined).map((i) => this.geo.features[i]));
            this.selectionIds = Array.from(values(data[sel].locations));
            const line = ((data[sel].marker || {}).line) || {};
            if (chosen.length) {
                later.push(new OutlineLayer({id: "selection", data: chosen, filled: false, stroked: true, lineWidthUnits: "pixels",
                                              getLineColor: parseColour(line.color || "#d95f02"), getLineWidth: line.width || 3}));
            }
        }
        mapLayers.forEach((l, i) => {
            if (l.visible === false || l.sourcetype !== "geojson") { return; }
            const fc = typeof l.source === "string" ? this.outlines.get(l.source) : l.source;
            if (!fc) { if (typeof l.source === "string") { this.loadOutlines(fig); } return; }
            const dash = (l.line || {}).dash;
            later.push(new OutlineLayer({
                id: `map-layer-${i}`, data: fc, filled: false, stroked: true, lineWidthUnits: "pixels", pickable: false,
                getLineColor: parseColour(l.color || "#3b3b3b"), getLineWidth: (l.line || {}).width || 1,
                ...(Array.isArray(dash) ? {getDashArray: dash, dashJustified: true, extensions: [new PathStyleExtension({dash: true})]} : {}),
            }));
        });
        data.forEach((tr, i) => {
            if (!tr || tr.type !== "scattermap") { return; }
            const lon = values(tr.lon), lat = values(tr.lat);
            if (!lon.length) { return; }
            const marker = tr.marker || {}, sizes = values(marker.size), fixedSize = typeof marker.size === "number" ? marker.size : 6;
            const [points, colours] = this.memo(`points-${i}`, [tr.lon, marker], () => [Array.from({length: lon.length}, (_, k) => k),
                                                                                          markerColours(marker, lon.length)]);
            later.push(new ScatterplotLayer({
                id: `points-${tr.name || i}`, data: points, pickable: true,
                radiusUnits: "pixels", stroked: tr.name === "proposals", lineWidthUnits: "pixels", getLineWidth: 1.5, getLineColor: [0, 0, 0, 200],
                getPosition: (k) => [lon[k], lat[k]], getRadius: (k) => (sizes.length ? sizes[k] : fixedSize) / 2,
                getFillColor: (k, {target}) => copy4(colours, k, target),
                updateTriggers: {getPosition: [tr.lon, tr.lat], getRadius: marker.size, getFillColor: [marker.color, marker.opacity]},
            }));
        });
        const deferring = !this.fillsShown && traceIndex(data, "values") >= 0 && (this.loading || a.features.length > 0);
        if (this.deferring && !deferring && (below.length || later.length)) { this.completing = true; } // idle once a frame shows them
        this.deferring = deferring;
        this.deck.setProps({layers: this.deferring ? layers : below.concat(layers, later)});
        this.fit();
        this.placeLabels();
        this.forceUpdate();
        this.announceComplete(); // a map with nothing after the fills is complete with their frame
    }

    /** Once a frame shows the values whole (fills, then the outlines and overlays deferred after them): what waits for the
     * map (AfterMap) may start. Not at the fills' frame: the deferred layers' frame then waited behind plotly.js and the
     * topic panels' rendering (1–3 s more in software WebGL on a busy machine). */
    announceComplete() {
        if (this.areas.features.length && !this.loading && this.valuesShown()) {
            announceMapDrawn();
        }
    }

    /** Whether a frame has shown the current values whole: their fills, then the outlines and overlays deferred after
     * them. */
    valuesShown() {
        return this.drawnVersion === this.areas.version && !this.deferring && !this.completing;
    }

    /** The areas drawn with an outline, small counts last (over their neighbours' edges): all of them on administrative
     * units; on H3 cells (more than `MAX_ALWAYS_OUTLINED`) those in view once a cell is `MIN_OUTLINE_PX` wide on screen,
     * and the small counts at every zoom while there are at most `MAX_SMALL_ALWAYS` of them (H3 res 9 and 10 have
     * thousands: strokes cost vertices every frame, so those too wait for a closer zoom). */
    outlined() {
        const a = this.areas, n = a.features.length, small = a.small || [];
        let inView = null;
        if (n > MAX_ALWAYS_OUTLINED) {
            const px = this.viewState && a.spanDeg ? a.spanDeg * 512 * Math.pow(2, this.viewState.zoom) / 360 : 0;
            inView = px >= MIN_OUTLINE_PX ? this.inView() : [];
        }
        const key = `${a.version}|${inView ? `${inView.length}:${inView[0]}:${inView[inView.length - 1]}` : "all"}`;
        if (this.outlineKey === key) { return this.outlineList; }
        const isSmall = new Uint8Array(n);
        small.forEach((i) => { isSmall[i] = 1; });
        const base = inView || Array.from({length: n}, (_, i) => i);
        const plain = base.filter((i) => !isSmall[i]);
        const smallShown = small.length <= MAX_SMALL_ALWAYS ? small : base.filter((i) => isSmall[i]);
        const list = plain.concat(smallShown), old = this.outlineList;
        this.outlineKey = key;
        // the same areas as before (new values, same outlines): the same array, so deck.gl keeps the outline geometry
        if (!old || old.length !== list.length || list.some((v, k) => v !== old[k])) { this.outlineList = list; }
        return this.outlineList;
    }

    /** The areas whose centre is in view. */
    inView() {
        const a = this.areas, vp = this.viewport(), [w, s] = vp.unproject([0, vp.height]), [e, nn] = vp.unproject([vp.width, 0]);
        const out = [];
        for (let i = 0; i < a.features.length; i++) {
            const x = a.centroids[2 * i], y = a.centroids[2 * i + 1];
            if (x >= w && x <= e && y >= s && y <= nn) { out.push(i); }
        }
        return out;
    }

    featuresOf(list) {
        if (this.featuresFor !== list || this.featuresFrom !== this.areas.features) {
            this.featuresFor = list;
            this.featuresFrom = this.areas.features;
            this.featureList = list.map((i) => this.areas.features[i]);
        }
        return this.featureList;
    }

    /** `make()` again only when one of `deps` changed (by identity): layers keep their data, deck.gl redoes nothing. */
    memo(name, deps, make) {
        this.memos = this.memos || {};
        const old = this.memos[name];
        if (old && old.deps.length === deps.length && old.deps.every((d, k) => d === deps[k])) { return old.value; }
        const value = make();
        this.memos[name] = {deps, value};
        return value;
    }

    afterRender() {
        this.stats.frames += 1;
        const layers = this.deck.props.layers || [];
        if (layers.length && layers.every((l) => l.isLoaded) && this.drawnVersion !== this.areas.version) {
            this.drawnVersion = this.areas.version;
            this.drawnAt = performance.now(); // when the frame that first showed these values was drawn (benchmark)
        }
        if (this.completing && layers.every((l) => l.isLoaded)) { this.completing = false; }
        this.announceComplete();
        frameDrawn();
        if (this.deferring && !this.fillsShown && this.drawnVersion === this.areas.version) {
            this.fillsShown = true;
            // the rest once this frame is on screen: the next animation frame comes after it, the task after that
            requestAnimationFrame(() => setTimeout(() => this.draw(), 0));
        }
    }

    setView(view) {
        this.viewState = {longitude: view.longitude, latitude: view.latitude, zoom: view.zoom, pitch: 0, bearing: 0};
        this.deck.setProps({viewState: this.viewState});
        if (this.areas.features.length > MAX_ALWAYS_OUTLINED) { this.scheduleDraw(); }
        this.placeLabels();
        this.writeLink();
    }

    scheduleDraw() {
        if (this.drawPending) { return; }
        this.drawPending = true;
        requestAnimationFrame(() => { this.drawPending = false; this.draw(); }); // draw() does nothing once unmounted
    }

    /** Fit to layout.meta.fit at the real size, once per bounds and size; a view panned by hand is left alone. */
    fit() {
        const meta = (this.figure().layout || {}).meta || {}, box = this.holderSize();
        if (!meta.fit || box.width < 50 || box.height < 50) {
            if (!this.viewState) {
                const c = ((this.figure().layout || {}).map || {}).center;
                if (c) { this.setView({longitude: c.lon, latitude: c.lat, zoom: ((this.figure().layout || {}).map || {}).zoom || 9}); }
            }
            return;
        }
        const key = `${meta.fit.join(",")}|${Math.round(box.width)}x${Math.round(box.height)}`;
        if (this.fitted && this.fitted.key === key) { return; }
        const sameBounds = this.fitted && this.fitted.key.split("|")[0] === key.split("|")[0];
        const moved = this.fitted && !sameView(this.viewState, this.fitted.view);
        const view = fitView(meta.fit, box.width, box.height);
        const linked = this.pendingLink;
        this.pendingLink = null;
        this.fitted = {key, view};
        if (sameBounds && moved) { return; } // a resize keeps the user's own view
        this.setView(linked || view);
    }

    writeLink() {
        if (!this.fitted || !this.viewState || this.pendingLink) { return; }
        const params = new URLSearchParams(window.location.search), v = this.viewState;
        const wanted = sameView(v, this.fitted.view) ? null : `${v.zoom.toFixed(2)}/${v.latitude.toFixed(5)}/${v.longitude.toFixed(5)}`;
        if ((params.get("map") || null) === wanted) { return; }
        clearTimeout(this.linkTimer);
        this.linkTimer = setTimeout(() => {
            if (wanted) { params.set("map", wanted); } else { params.delete("map"); }
            const search = params.toString().replace(/%2F/g, "/").replace(/%2C/g, ",");
            window.history.replaceState(window.history.state, "", window.location.pathname + (search ? `?${search}` : ""));
        }, 250);
    }

    /** The holder's size as the ResizeObserver last reported it (read once before its first report). */
    holderSize() {
        return this.size || (this.size = this.canvasHolder.current.getBoundingClientRect());
    }

    viewport() {
        const box = this.holderSize();
        return new WebMercatorViewport({width: box.width, height: box.height, ...(this.viewState || {longitude: 0, latitude: 0, zoom: 1})});
    }

    /** Place names (layout.meta.labels) and proposal numbers as HTML over the map, as assets/map-labels.js does. */
    placeLabels() {
        const layer = this.labelLayer.current;
        if (!layer || !this.viewState) { return; }
        const fig = this.figure(), labels = ((fig.layout || {}).meta || {}).labels || {}, items = [];
        (labels.text || []).forEach((text, i) => items.push({lon: labels.lon[i], lat: labels.lat[i], text, kind: "place"}));
        (fig.data || []).forEach((tr) => {
            if (tr && tr.name === "proposals") {
                Array.from(values(tr.lon)).forEach((lon, i) => items.push({lon, lat: values(tr.lat)[i], text: String(values(tr.text)[i]), kind: "proposal"}));
            }
        });
        const key = JSON.stringify(items);
        // measuring the labels forces a layout of the page: only when they, the view or the map's size changed
        this.memo("labels", [key, this.viewState, this.size], () => this.positionLabels(layer, items, key));
    }

    /** The labels' elements (new ones when `key`, the labels' JSON, changed) at their places; hidden where they overlap. */
    positionLabels(layer, items, key) {
        if (layer.dataset.key !== key) {
            layer.textContent = "";
            items.forEach((item) => {
                const el = document.createElement("span");
                el.className = `qa-label qa-label-${item.kind}`;
                el.textContent = item.text.length > 14 ? item.text.replace("-", "-\n") : item.text;
                el.dataset.lon = item.lon;
                el.dataset.lat = item.lat;
                layer.appendChild(el);
            });
            layer.dataset.key = key;
        }
        const vp = this.viewport(), shown = [];
        Array.prototype.forEach.call(layer.children, (el) => {
            const [x, y] = vp.project([Number(el.dataset.lon), Number(el.dataset.lat)]);
            el.style.transform = `translate(${Math.round(x)}px,${Math.round(y)}px) translate(-50%,-50%)`;
            const w = el.offsetWidth, hh = el.offsetHeight, b = {l: x - w / 2, r: x + w / 2, t: y - hh / 2, b: y + hh / 2};
            const hit = el.classList.contains("qa-label-place") && shown.some((o) => b.l < o.r && o.l < b.r && b.t < o.b && o.t < b.b);
            el.style.visibility = hit ? "hidden" : "visible";
            if (!hit) { shown.push(b); }
        });
    }

    /** The trace index, position and hover text of what is under the pointer; null off the map's marks. */
    picked(info) {
        if (!info || !info.picked || !info.layer) { return null; }
        const data = this.figure().data || [], sep = (this.figure().layout || {}).separators || ".,";
        if (info.layer.id.startsWith("areas-")) {
            const i = info.index, curve = this.areas.top[i];
            if (curve < 0) { return null; }
            const p = this.areas.position[i], tr = data[curve], vt = data[traceIndex(data, "values")];
            const text = hoverText(tr.hovertemplate || "", {
                z: values(tr.z)[p], customdata: values(vt.customdata)[p], text: values(tr.text)[p] ?? values(vt.text)[p],
                location: this.areas.ids[p]}, sep);
            const [lon, lat] = info.coordinate || [this.areas.centroids[2 * i], this.areas.centroids[2 * i + 1]];  // where it was clicked
            return {curve, point: p, text, location: String(this.areas.ids[p]), lon, lat};
        }
        if (info.layer.id.startsWith("points-")) {
            const name = info.layer.id.slice(7), curve = data.findIndex((tr, k) => tr && (tr.name || String(k)) === name);
            const tr = data[curve], k = info.index;
            const text = hoverText(tr.hovertemplate || "%{text}", {text: values(tr.text)[k], hovertext: values(tr.hovertext)[k],
                                                                      customdata: values(tr.customdata)[k]}, sep);
            return {curve, point: k, text, lon: values(tr.lon)[k], lat: values(tr.lat)[k], customdata: values(tr.customdata)[k]};
        }
        return null;
    }

    onHover(info) {
        const tip = this.tooltip.current, hit = this.state.mode === "pan" ? this.picked(info) : null;
        if (!tip) { return; }
        if (!hit || !hit.text) { tip.style.display = "none"; return; }
        tip.innerHTML = hit.text;
        tip.style.display = "block";
        const box = this.canvasHolder.current.getBoundingClientRect(), w = tip.offsetWidth, hh = tip.offsetHeight;
        const x = info.x + 14 + w > box.width ? info.x - 14 - w : info.x + 14, y = Math.min(Math.max(info.y - hh / 2, 0), box.height - hh);
        tip.style.transform = `translate(${Math.round(x)}px,${Math.round(y)}px)`;
    }

    onClick(info) {
        if (this.state.mode !== "pan") { return; }
        const hit = this.picked(info);
        if (!hit || !this.props.setProps) { return; }
        const point = {curveNumber: hit.curve, pointNumber: hit.point, pointIndex: hit.point, lon: hit.lon, lat: hit.lat};
        if (hit.location !== undefined) { point.location = hit.location; }
        if (hit.customdata !== undefined) { point.customdata = hit.customdata; }
        this.props.setProps({clickData: {points: [point]}});
    }

    /** Box or lasso in screen pixels: every area whose centre lies inside, as dcc.Graph's selectedData. */
    select(shape) {
        const vp = this.viewport(), a = this.areas, points = [];
        for (let i = 0; i < a.features.length; i++) {
            if (a.top[i] < 0) { continue; }
            const [x, y] = vp.project([a.centroids[2 * i], a.centroids[2 * i + 1]]);
            if (shape.box ? insideBox(x, y, shape.box) : insidePolygon(x, y, shape.lasso)) {
                const p = a.position[i];
                points.push({curveNumber: a.top[i], pointNumber: p, pointIndex: p, location: String(a.ids[p])});
            }
        }
        const selected = {points};
        if (shape.box) {
            const [x0, y0, x1, y1] = shape.box, c0 = vp.unproject([x0, y0]), c1 = vp.unproject([x1, y1]);
            selected.range = {map: [[c0[0], c0[1]], [c1[0], c1[1]]]};
        } else {
            selected.lassoPoints = {map: shape.lasso.map((pt) => vp.unproject(pt))};
        }
        if (this.props.setProps) { this.props.setProps({selectedData: selected}); }
    }

    startDraw(event) {
        if (this.state.mode === "pan" || event.button !== 0) { return; }
        const box = this.canvasHolder.current.getBoundingClientRect(), svg = this.lassoSvg.current;
        const at = (e) => [e.clientX - box.left, e.clientY - box.top];
        const pts = [at(event)];
        const path = svg.querySelector("path");
        const draw = () => {
            if (this.state.mode === "box") {
                const [x0, y0] = pts[0], [x1, y1] = pts[pts.length - 1];
                path.setAttribute("d", `M${x0},${y0}L${x1},${y0}L${x1},${y1}L${x0},${y1}Z`);
            } else {
                path.setAttribute("d", `M${pts.map((p) => p.join(",")).join("L")}Z`);
            }
        };
        const move = (e) => { pts.push(at(e)); draw(); };
        const stop = () => {
            window.removeEventListener("pointermove", move);
            window.removeEventListener("pointerup", up);
            window.removeEventListener("pointercancel", stop);
            path.setAttribute("d", "");
            this.endDrag = null;
        };
        const up = () => {
            stop();
            if (pts.length < 2) { return; }
            if (this.state.mode === "box") {
                const [x0, y0] = pts[0], [x1, y1] = pts[pts.length - 1];
                this.select({box: [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)]});
            } else if (pts.length > 2) {
                this.select({lasso: pts});
            }
        };
        window.addEventListener("pointermove", move);
        window.addEventListener("pointerup", up);
        window.addEventListener("pointercancel", stop);
        this.endDrag = stop;
        event.preventDefault();
        event.stopPropagation();
    }

    setMode(mode) {
        this.setState({mode});
        this.deck.setProps({controller: mode === "pan" ? {doubleClickZoom: true, keyboard: true, dragRotate: false, touchRotate: false}
                                                       : {dragPan: false, dragRotate: false, doubleClickZoom: false, scrollZoom: true, keyboard: true}});
        if (this.tooltip.current) { this.tooltip.current.style.display = "none"; }
    }

    zoomBy(step) {
        const v = this.viewState;
        if (v) { this.setView({...v, zoom: Math.min(20, Math.max(1, v.zoom + step))}); }
    }

    resetView() {
        if (this.fitted) { this.setView(this.fitted.view); }
    }

    /** Printing: WebGL clears its drawing buffer after each frame, so the map goes to paper as an image of one. */
    printImage(on) {
        const holder = this.canvasHolder.current, old = holder.querySelector("img.qa-deck-print");
        if (old) { old.remove(); }
        if (!on) { return; }
        this.deck.redraw("print");
        const canvas = holder.querySelector("canvas");
        if (!canvas) { return; }
        const img = document.createElement("img");
        img.className = "qa-deck-print";
        img.alt = "";
        img.src = canvas.toDataURL("image/png");
        holder.appendChild(img);
    }

    attribution() {
        const raster = ((((this.figure().layout || {}).map || {}).layers) || []).find((l) => l.sourcetype === "raster");
        return raster ? raster.sourceattribution || "" : "";
    }

    colourBars() {
        const fig = this.figure(), data = fig.data || [], sep = (fig.layout || {}).separators || ".,", out = [];
        const vt = data[traceIndex(data, "values")];
        if (vt && vt.showscale !== false && vt.colorscale && this.areas.features.length) {
            const cb = vt.colorbar || {};
            out.push(h(ColourBar, {key: "values", scale: vt.colorscale, lo: Number(vt.zmin), hi: Number(vt.zmax), side: "right",
                                    title: ((cb.title || {}).text) || "", tickvals: cb.tickvals, ticktext: cb.ticktext, separators: sep}));
        }
        data.forEach((tr, i) => {
            const m = (tr && tr.type === "scattermap" && tr.marker) || {};
            if (!m.showscale || !m.colorscale || !values(tr.lon).length) { return; }
            const [lo, hi] = markerRange(m), cb = m.colorbar || {};
            out.push(h(ColourBar, {key: `m${i}`, scale: resolveScale(m.colorscale), lo, hi, side: "left",
                                    title: ((cb.title || {}).text) || "", tickvals: cb.tickvals, ticktext: cb.ticktext, separators: sep}));
        });
        return out;
    }

    render() {
        const {id, style, className} = this.props, words = WORDS[language()], mode = this.state.mode;
        const tool = (name, label, icon, onClick, pressed) => h("button", {
            type: "button", className: `qa-deck-tool${pressed ? " active" : ""}`, title: label, "aria-label": label,
            "aria-pressed": pressed === undefined ? undefined : String(pressed), onClick, "data-tool": name}, icon);
        return h("div", {id, ref: this.root, className: `qa-deck-map ${className || ""}`.trim(), style: {position: "relative", ...style},
                         "data-engine": "deck.gl"},
            h("div", {ref: this.canvasHolder, className: "qa-deck-canvas", onPointerLeave: () => { if (this.tooltip.current) { this.tooltip.current.style.display = "none"; } }}),
            h("svg", {ref: this.lassoSvg, className: "qa-deck-lasso", style: {pointerEvents: "none"}, "aria-hidden": "true"},
              h("path", {d: "", fill: "rgba(217,95,2,0.08)", stroke: "#d95f02", strokeWidth: 1.5, strokeDasharray: "4 3"})),
            h("div", {ref: this.labelLayer, className: "qa-labels", "aria-hidden": "true"}),
            h("div", {ref: this.tooltip, className: "qa-deck-tooltip", role: "tooltip", style: {display: "none"}}),
            h("div", {className: "qa-deck-tools", role: "toolbar", "aria-label": words.tools},
                tool("pan", words.pan, "✥", () => this.setMode("pan"), mode === "pan"),
                tool("box", words.box, "⬚", () => this.setMode("box"), mode === "box"),
                tool("lasso", words.lasso, LASSO_ICON, () => this.setMode("lasso"), mode === "lasso"),
                tool("zoom-in", words.zoomIn, "+", () => this.zoomBy(1)),
                tool("zoom-out", words.zoomOut, "−", () => this.zoomBy(-1)),
                tool("reset", words.reset, "⌂", () => this.resetView())),
            this.attribution() ? h("div", {className: "qa-deck-attribution"}, this.attribution()) : null,
            ...this.colourBars());
    }
}

const LASSO_ICON = h("svg", {width: 18, height: 18, viewBox: "0 0 18 18", "aria-hidden": "true", focusable: "false"},
    h("ellipse", {cx: 9, cy: 7, rx: 7, ry: 5, fill: "none", stroke: "currentColor", strokeWidth: 1.6, strokeDasharray: "3 2"}),
    h("path", {d: "M5 11 Q4 15 7 16", fill: "none", stroke: "currentColor", strokeWidth: 1.6}));

function copy4(src, index, target) {
    const out = target || new Uint8Array(4);
    out[0] = src[4 * index]; out[1] = src[4 * index + 1]; out[2] = src[4 * index + 2]; out[3] = src[4 * index + 3];
    return out;
}

/** A marker's colour scale: explicit stops, as the server sends them (`dashboard.figures.colour_scale`). */
function resolveScale(scale) {
    return Array.isArray(scale) ? scale : [[0, "#f7f7f7"], [1, "#252525"]];
}

function markerRange(m) {
    const c = values(m.color);
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < c.length; i++) { if (Number.isFinite(c[i])) { lo = Math.min(lo, c[i]); hi = Math.max(hi, c[i]); } }
    if (m.cmin !== undefined && m.cmax !== undefined) { return [m.cmin, m.cmax]; }
    if (m.cmid !== undefined && Number.isFinite(lo)) {
        const half = Math.max(Math.abs(hi - m.cmid), Math.abs(m.cmid - lo)) || 1;
        return [m.cmid - half, m.cmid + half];
    }
    return Number.isFinite(lo) ? [lo, hi > lo ? hi : lo + 1] : [0, 1];
}

/** RGBA per point of a scatter trace: one colour, a list of colours, or numbers on the marker's colour scale. */
function markerColours(marker, n) {
    const out = new Uint8Array(n * 4), opacity = marker.opacity ?? 1, c = marker.color;
    if (c !== undefined && typeof c !== "string" && (values(c).length === n)) {
        const list = values(c);
        if (typeof list[0] === "string") {
            for (let i = 0; i < n; i++) { out.set(parseColour(list[i]), 4 * i); }
        } else {
            const lut = colourLut(resolveScale(marker.colorscale)), [lo, hi] = markerRange(marker);
            for (let i = 0; i < n; i++) { lutColour(lut, (list[i] - lo) / (hi - lo || 1), out, 4 * i); }
        }
    } else {
        const rgba = parseColour(typeof c === "string" ? c : "#1f77b4");
        for (let i = 0; i < n; i++) { out.set(rgba, 4 * i); }
    }
    for (let i = 0; i < n; i++) { out[4 * i + 3] = Math.round(out[4 * i + 3] * opacity); }
    return out;
}

// `afterValuesShown`: the clientside gate of what follows the map's answer (dashboard/callbacks/main_map.py FRAME_GATE)
window.quartiersatlas_map = Object.assign(window.quartiersatlas_map || {}, {DeckMap, AfterMap, afterValuesShown: whenValuesShown});
