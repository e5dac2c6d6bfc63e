/*
 * The view that shows bounds whole in a map of a given size, for both map engines: Web Mercator with 512-px tiles
 * (MapLibre and deck.gl count zoom alike), a margin of PAD on every side (MAP_PAD_PX of dashboard/figures.py, which
 * makes the server's first estimate the same way). Used by assets/map-fit.js (Plotly engine) and dashboard/mapgl (WebGL).
 */
(function () {
    "use strict";
    var PAD = 16;

    function merc(lat) {
        return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360));
    }

    /* bounds: [west, south, east, north] in degrees; width, height in CSS pixels → {lon, lat, zoom} */
    window.quartiersatlasMapView = function (bounds, width, height) {
        var w = Math.max(width - 2 * PAD, 50), h = Math.max(height - 2 * PAD, 50);
        var zoomX = Math.log2(w * 360 / (512 * Math.max(bounds[2] - bounds[0], 1e-6)));
        var zoomY = Math.log2(h * 2 * Math.PI / (512 * Math.max(merc(bounds[3]) - merc(bounds[1]), 1e-8)));
        var zoom = Math.floor(Math.min(zoomX, zoomY) * 100) / 100;  // round down: never cut the area off
        var y = (merc(bounds[1]) + merc(bounds[3])) / 2;  // the middle in Mercator y
        return {lon: (bounds[0] + bounds[2]) / 2, lat: (2 * Math.atan(Math.exp(y)) - Math.PI / 2) * 180 / Math.PI, zoom: zoom};
    };
}());
