// Unit tests of the "map drawn" signal that AfterMap waits for, and of the "values shown" gate that the views wait for
// (node --test; run by tests/dashboard/test_mapgl_js.py).
import assert from "node:assert/strict";
import {beforeEach, test} from "node:test";
import {setTimeout as sleep} from "node:timers/promises";

import {afterMapDrawn, announceMapDrawn, mapDrawnAt, resetMapDrawn} from "../src/map-drawn.js";

beforeEach(() => resetMapDrawn());

test("a waiting callback runs once, when the map is announced drawn, not before and not on a second announcement", async () => {
    let calls = 0;
    afterMapDrawn(() => { calls += 1; }, 1000);
    await sleep(5);
    assert.equal(calls, 0);
    assert.equal(mapDrawnAt(), null);
    announceMapDrawn();
    assert.equal(calls, 1);
    const at = mapDrawnAt();
    assert.ok(at > 0);
    announceMapDrawn();
    assert.equal(calls, 1);
    assert.equal(mapDrawnAt(), at);  // the first announcement's time
});

test("a callback asked for after the announcement runs at once (an AfterMap mounted later)", () => {
    announceMapDrawn();
    let calls = 0;
    afterMapDrawn(() => { calls += 1; }, 1000);
    assert.equal(calls, 1);
});

test("without the map, the callback runs after the timeout, and only then; an announcement later does not run it again", async () => {
    let calls = 0;
    afterMapDrawn(() => { calls += 1; }, 20);
    await sleep(5);
    assert.equal(calls, 0);
    await sleep(40);
    assert.equal(calls, 1);
    announceMapDrawn();
    assert.equal(calls, 1);
});

test("a cancelled wait (an AfterMap unmounted) runs neither on the announcement nor on the timeout", async () => {
    let calls = 0;
    const cancel = afterMapDrawn(() => { calls += 1; }, 20);
    const other = afterMapDrawn(() => { calls += 10; }, 1000);
    cancel();
    await sleep(40);
    announceMapDrawn();
    assert.equal(calls, 10);
    other();  // cancelling after it ran does nothing
});

// --- "these values are on screen", every time: the gate of what follows the map's answer ------------------------------

import {frameDrawn, registerShowing, resetValuesShown, whenValuesShown} from "../src/map-drawn.js";

const frames = []; // a stand-in for the browser's animation frames, run by hand
globalThis.requestAnimationFrame = (callback) => { frames.push(callback); return frames.length; };
const nextFrame = () => frames.splice(0).forEach((callback) => callback());
const settled = (promise) => Promise.race([promise.then(() => true), sleep(5).then(() => false)]);

beforeEach(() => { resetValuesShown(); frames.length = 0; });

test("the gate waits for a frame that shows the values: not before the next animation frame, not while they are not drawn", async () => {
    let shown = false;
    registerShowing(() => shown);
    const gate = whenValuesShown(1000);
    assert.equal(await settled(gate), false); // no animation frame yet
    nextFrame();
    assert.equal(await settled(gate), false); // a frame came, but without the new values
    frameDrawn();
    assert.equal(await settled(gate), false); // a frame drawn, still not these values
    shown = true;
    frameDrawn();
    assert.equal(await settled(gate), true);
});

test("values already on screen at the next animation frame open the gate then", async () => {
    registerShowing(() => true);
    const gate = whenValuesShown(1000);
    assert.equal(await settled(gate), false);
    nextFrame();
    assert.equal(await settled(gate), true);
});

test("a map that never shows its values holds nothing back longer than the timeout", async () => {
    registerShowing(() => false);
    const gate = whenValuesShown(20);
    nextFrame();
    assert.equal(await settled(gate), false);
    await sleep(30);
    assert.equal(await settled(gate), true);
});

test("without a map on the page (Plotly's engine) the gate is open at once; a map's unmounting unregisters only itself", async () => {
    assert.equal(await settled(whenValuesShown(1000)), true);
    const first = () => false, second = () => false;
    registerShowing(first);
    registerShowing(second); // a new map mounted before the old one unmounted
    registerShowing(null, first);
    assert.equal(await settled(whenValuesShown(1000)), false); // the second map still holds the gate
    registerShowing(null, second);
    assert.equal(await settled(whenValuesShown(1000)), true);
});
