/*
 * Place names and proposal numbers over the map, as HTML.
 *
 * MapLibre draws text only with glyph files fetched from a font server; the app runs offline and its CSP allows no
 * such server, so names are HTML elements placed over the map instead: the figure carries them in
 * `layout.meta.labels` ({lon, lat, text}: districts, or a chosen district's Bezirksregionen), and the trace named
 * "proposals" carries the site proposals, whose rank is written into their marks. Positions follow every move of the
 * map (map.project); the elements ignore the pointer, so clicks and hovers reach the map.
 */
(function () {
    "use strict";
    var MAP_ID = "map-graph";

    function overlay(map) {
        var box = map.getContainer();
        var layer = box.querySelector(".qa-labels");
        if (!layer) {
            layer = document.createElement("div");
            layer.className = "qa-labels";
            layer.setAttribute("aria-hidden", "true");  // the names are in the table and the hover; this is orientation
            box.appendChild(layer);
        }
        return layer;
    }

    function items(gd) {
        var out = [];
        var labels = (gd.layout && gd.layout.meta && gd.layout.meta.labels) || {};
        (labels.text || []).forEach(function (text, i) {
            out.push({lon: labels.lon[i], lat: labels.lat[i], text: text, kind: "place"});
        });
        (gd.data || []).forEach(function (trace) {
            if (trace.name === "proposals" && trace.lon) {
                Array.prototype.forEach.call(trace.lon, function (lon, i) {
                    out.push({lon: lon, lat: trace.lat[i], text: String(trace.text[i]), kind: "proposal"});
                });
            }
        });
        return out;
    }

    function place(map, layer) {
        var shown = [];
        Array.prototype.forEach.call(layer.children, function (el) {
            var p = map.project([Number(el.dataset.lon), Number(el.dataset.lat)]);
            el.style.transform = "translate(" + Math.round(p.x) + "px," + Math.round(p.y) + "px) translate(-50%,-50%)";
            // a place name that would cover one already written waits for a closer zoom (proposals always show)
            var w = el.offsetWidth, h = el.offsetHeight;
            var box = {l: p.x - w / 2, r: p.x + w / 2, t: p.y - h / 2, b: p.y + h / 2};
            var hit = el.classList.contains("qa-label-place") && shown.some(function (o) {
                return box.l < o.r && o.l < box.r && box.t < o.b && o.t < box.b;
            });
            el.style.visibility = hit ? "hidden" : "visible";
            if (!hit) {
                shown.push(box);
            }
        });
    }

    function update() {
        var holder = document.getElementById(MAP_ID);
        var gd = holder && holder.querySelector(".js-plotly-plot");
        var sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
        if (!sub || !sub.map) {
            return;
        }
        var map = sub.map, layer = overlay(map), list = items(gd);
        var key = JSON.stringify(list);
        if (layer.dataset.key !== key) {
            layer.textContent = "";
            list.forEach(function (item) {
                var el = document.createElement("span");
                el.className = "qa-label qa-label-" + item.kind;
                // long double names break at their hyphen (Charlottenburg-/Wilmersdorf)
                el.textContent = item.text.length > 14 ? item.text.replace("-", "-\n") : item.text;
                el.dataset.lon = item.lon;
                el.dataset.lat = item.lat;
                layer.appendChild(el);
            });
            layer.dataset.key = key;
            place(map, layer);
        }
        if (!map.__quartiersatlasLabels) {
            map.__quartiersatlasLabels = true;
            map.on("move", function () { place(map, overlay(map)); });
            map.on("resize", function () { place(map, overlay(map)); });
        }
    }

    setInterval(update, 300);
}());
