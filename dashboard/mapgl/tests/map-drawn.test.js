// Unit tests of the "map drawn" signal that AfterMap waits for (node --test; run by tests/dashboard/test_mapgl_js.py).
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
