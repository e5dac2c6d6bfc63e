/*
 * Fit the map to what it should show, at the map's real size.
 *
 * The server cannot know how large the map is on this screen (64vh high, as wide as its column), so each map figure
 * carries the bounds it should show whole in `layout.meta.fit` ([west, south, east, north], lon/lat: the city, or the
 * chosen district) and a first estimate of centre and zoom. This script computes centre and zoom from the map's real
 * size (assets/map-view.js: Web Mercator, 512-px tiles, margin `MAP_PAD_PX` of dashboard/figures.py). The size is that of
 * MapLibre's own container: plotly makes room for the colour bar beside it, so the graph's box is wider than the map and applies them with Plotly.relayout, once per bounds and size: panning or zooming by hand is left alone
 * until the bounds change (another district) or the map's size does (a resized window).
 */
(function () {
    "use strict";
    var MAP_ID = "map-graph";

    function fit() {
        var holder = document.getElementById(MAP_ID);
        var gd = holder && holder.querySelector(".js-plotly-plot");
        if (!gd || !gd.layout || !gd.layout.meta || !gd.layout.meta.fit || !gd._fullLayout || !gd._fullLayout.map || !window.Plotly) {
            return;
        }
        var sub = gd._fullLayout.map._subplot;
        if (!sub || !sub.map || !sub.map.loaded() || sub.map.isMoving()) {
            return;  // a relayout before MapLibre has loaded is written to the layout but not shown
        }
        var box = sub.map.getContainer().getBoundingClientRect();
        if (box.width < 50 || box.height < 50) {
            return;  // not laid out yet
        }
        var bounds = gd.layout.meta.fit;
        var key = bounds.join(",") + "|" + Math.round(box.width) + "x" + Math.round(box.height);
        var centre = sub.map.getCenter(), now = {lon: centre.lng, lat: centre.lat, zoom: sub.map.getZoom()};
        var done = gd.__quartiersatlasFit;
        // Plotly.relayout is not a user edit to plotly: the next Plotly.react (a new value from the server) puts the
        // server's first estimate back. Then, and only then, fit again; a view the user panned to differs from it.
        if (done && done.key === key && !(same(now, done.estimate) && !same(now, done.applied))) {
            return;
        }
        var v = window.quartiersatlasMapView(bounds, box.width, box.height);  // assets/map-view.js
        var fitted = {lon: v.lon, lat: v.lat, zoom: v.zoom};
        // a link's own view (?map=zoom/lat/lon) is shown once, at the first fit of the page; later fits show the bounds
        var linked = linkView;
        linkView = null;
        var applied = done && done.key === key ? done.applied : (linked || fitted);
        gd.__quartiersatlasFit = {key: key, estimate: done && done.key === key ? done.estimate : now, applied: applied,
                                  fitted: done && done.key === key ? done.fitted : fitted};
        if (!same(now, applied)) {
            window.Plotly.relayout(gd, {"map.center": {lon: applied.lon, lat: applied.lat}, "map.zoom": applied.zoom});
        }
    }

    // The map's view in the link: `map=zoom/lat/lon` (as openstreetmap.org writes it) while the view is not the fitted
    // one (panned or zoomed by hand, or opened from such a link); without it the link fits the city or district.
    function readLinkView() {
        var m = /[?&]map=([0-9.]+)\/(-?[0-9.]+)\/(-?[0-9.]+)/i.exec(window.location.search);
        if (!m) { return null; }
        var v = {zoom: parseFloat(m[1]), lat: parseFloat(m[2]), lon: parseFloat(m[3])};
        return v.zoom >= 0 && v.zoom <= 22 && Math.abs(v.lat) <= 85 && Math.abs(v.lon) <= 180 ? v : null;
    }
    var linkView = readLinkView();

    function writeLinkView() {
        var holder = document.getElementById(MAP_ID);
        var gd = holder && holder.querySelector(".js-plotly-plot");
        var done = gd && gd.__quartiersatlasFit;
        var sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
        if (!done || !sub || !sub.map || sub.map.isMoving() || linkView) { return; }
        var c = sub.map.getCenter(), now = {lon: c.lng, lat: c.lat, zoom: sub.map.getZoom()};
        var params = new URLSearchParams(window.location.search);
        var wanted = same(now, done.fitted) || same(now, done.estimate) ? null
            : now.zoom.toFixed(2) + "/" + now.lat.toFixed(5) + "/" + now.lon.toFixed(5);
        if ((params.get("map") || null) === wanted) { return; }
        if (wanted) { params.set("map", wanted); } else { params.delete("map"); }
        var search = params.toString().replace(/%2F/g, "/").replace(/%2C/g, ",");
        window.history.replaceState(window.history.state, "", window.location.pathname + (search ? "?" + search : ""));
    }

    function same(a, b) {
        return Math.abs(a.zoom - b.zoom) < 1e-4 && Math.abs(a.lon - b.lon) < 1e-6 && Math.abs(a.lat - b.lat) < 1e-6;
    }

    setInterval(function () { fit(); writeLinkView(); }, 250);  // cheap: comparisons while nothing changes
}());
