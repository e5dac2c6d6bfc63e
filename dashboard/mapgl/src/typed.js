/* The figure's arrays as the map reads them: plain lists, or plotly.js typed arrays ({dtype, bdata}) decoded once. */

const DTYPES = {f4: Float32Array, f8: Float64Array, u1: Uint8Array, i1: Int8Array, u2: Uint16Array, i2: Int16Array,
                u4: Uint32Array, i4: Int32Array};
const decodedArrays = new WeakMap();

/** A plain list or a plotly typed array ({dtype, bdata}) as something indexable; [] for nothing. With `decimals`, the
 * compact form of dashboard/figures.py `compact`: the bytes in planes, whole numbers of 10^-decimals, the dtype's least
 * number a missing value; read back as floats, NaN for missing. */
export function values(v) {
    if (v === null || v === undefined) { return []; }
    if (Array.isArray(v) || ArrayBuffer.isView(v)) { return v; }
    if (typeof v === "object" && typeof v.bdata === "string") {
        let out = decodedArrays.get(v);
        if (!out) {
            const bin = atob(v.bdata), bytes = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
            const Type = DTYPES[v.dtype] || Float64Array;
            out = typeof v.decimals === "number" ? fromDecimals(new Type(interleave(bytes, Type.BYTES_PER_ELEMENT).buffer), v.decimals)
                : new Type(bytes.buffer);
            decodedArrays.set(v, out);
        }
        return out;
    }
    return typeof v === "number" ? [v] : [];
}

/** Bytes in planes (every value's first byte, then every second byte, …) back in the order of the values. */
export function interleave(planes, size) {
    if (size === 1) { return planes; }
    const n = planes.length / size, out = new Uint8Array(planes.length);
    for (let b = 0; b < size; b++) {
        for (let i = 0; i < n; i++) { out[i * size + b] = planes[b * n + i]; }
    }
    return out;
}

/** Whole numbers of 10^-decimals as the values they stand for (a division, so that 234 reads 23.4 exactly as the
 * server wrote it); the type's least number (-128, -32768, …) as NaN. */
export function fromDecimals(units, decimals) {
    const out = new Float64Array(units.length), scale = 10 ** decimals, missing = -(2 ** (8 * units.BYTES_PER_ELEMENT - 1));
    for (let i = 0; i < units.length; i++) { out[i] = units[i] === missing ? NaN : units[i] / scale; }
    return out;
}
