// The figure's typed arrays as the map reads them (dashboard/figures.py typed, typed_counts and compact).
import assert from "node:assert/strict";
import {test} from "node:test";

import {values} from "../src/typed.js";

const b64 = (bytes) => Buffer.from(bytes).toString("base64");
const nan = (v) => (Number.isNaN(v) ? "NaN" : v);

test("compact arrays: bytes in planes, whole numbers of the last decimal, the least number as missing", () => {
    // 234, -11, -32768 (missing), 1000 as little-endian int16 are [234,0], [245,255], [0,128], [232,3]; in planes
    // the low bytes come first, then the high bytes
    const sent = {dtype: "i2", bdata: b64([234, 245, 0, 232, 0, 255, 128, 3]), decimals: 1};
    const got = values(sent);
    assert.deepEqual(Array.from(got).map(nan), [23.4, -1.1, "NaN", 100]);
    assert.equal(got[0].toFixed(1), "23.4");
    assert.equal(values(sent), got);  // decoded once per array
    const bytes = {dtype: "i1", bdata: b64([0, 128, 5]), decimals: 0};
    assert.deepEqual(Array.from(values(bytes)).map(nan), [0, "NaN", 5]);
    // int32: 70000 = [112,17,1,0]
    assert.deepEqual(Array.from(values({dtype: "i4", bdata: b64([112, 17, 1, 0]), decimals: 0})), [70000]);
});

test("typed arrays without decimals are the numbers themselves, in order", () => {
    assert.deepEqual(Array.from(values({dtype: "u2", bdata: b64(new Uint8Array(new Uint16Array([7, 65535]).buffer))})), [7, 65535]);
    assert.deepEqual(Array.from(values({dtype: "f4", bdata: b64(new Uint8Array(new Float32Array([1.5]).buffer))})), [1.5]);
    assert.deepEqual(values([1, 2]), [1, 2]);
    assert.deepEqual(values(null), []);
});
