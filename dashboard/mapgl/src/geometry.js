/* Small plane geometry for selection: centres of GeoJSON geometries and point-in-shape tests in screen pixels. */

/** The centre of a geometry's largest ring (vertex mean, enough for hexagons and compact units). */
export function centroid(geometry) {
    if (!geometry) { return [NaN, NaN]; }
    const rings = geometry.type === "Polygon" ? [geometry.coordinates[0]]
        : geometry.type === "MultiPolygon" ? geometry.coordinates.map((poly) => poly[0]) : [];
    let best = null, bestArea = -1;
    for (const ring of rings) {
        let area = 0;
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) { area += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1]; }
        if (Math.abs(area) > bestArea) { bestArea = Math.abs(area); best = ring; }
    }
    if (!best) { return [NaN, NaN]; }
    const n = best.length > 1 && best[0][0] === best[best.length - 1][0] && best[0][1] === best[best.length - 1][1] ? best.length - 1 : best.length;
    let x = 0, y = 0;
    for (let i = 0; i < n; i++) { x += best[i][0]; y += best[i][1]; }
    return [x / n, y / n];
}

export function insideBox(x, y, [x0, y0, x1, y1]) {
    return x >= x0 && x <= x1 && y >= y0 && y <= y1;
}

/** Even-odd rule. */
export function insidePolygon(x, y, pts) {
    let inside = false;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
        const [xi, yi] = pts[i], [xj, yj] = pts[j];
        if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
}

/** The east–west extent of a geometry in degrees (of its first ring). */
export function extentDeg(geometry) {
    const ring = geometry && (geometry.type === "Polygon" ? geometry.coordinates[0]
        : geometry.type === "MultiPolygon" ? geometry.coordinates[0][0] : null);
    if (!ring) { return 0; }
    let lo = Infinity, hi = -Infinity;
    for (const p of ring) { lo = Math.min(lo, p[0]); hi = Math.max(hi, p[0]); }
    return hi - lo;
}
