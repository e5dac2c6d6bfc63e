/*
 * "The map is drawn", as a once-only signal inside the bundle: DeckMap announces it, AfterMap waits for it.
 *
 * Why: what else on the page is slow to start (plotly.js: 4.8 MB evaluated for ~0.6 s on the main thread in software
 * WebGL; the topic panels' tables) would otherwise run right before the map's first frame and delay it. Module state,
 * not only an event: an AfterMap that mounts later (a language switch remounts the tabs) sees that it happened.
 */

let drawnAt = null; // performance.now() when it was announced, once it was
const waiting = new Set();

/** Say that the map has drawn its values (or that it never will: its geometry failed). Only the first call counts. */
export function announceMapDrawn() {
    if (drawnAt !== null) { return; }
    drawnAt = performance.now();
    const callbacks = Array.from(waiting);
    waiting.clear();
    callbacks.forEach((callback) => callback());
}

/** When the map was announced drawn (performance.now(), ms); null before. */
export function mapDrawnAt() {
    return drawnAt;
}

/**
 * Run `callback` once: when the map is drawn, or after `timeoutMs` without that (a map that never draws must not hide
 * what waits for it), or now if it is drawn already. Returns a function that cancels the wait.
 */
export function afterMapDrawn(callback, timeoutMs) {
    if (drawnAt !== null) { callback(); return () => {}; }
    let timer = null;
    const once = () => { clearTimeout(timer); waiting.delete(once); callback(); };
    waiting.add(once);
    timer = setTimeout(once, timeoutMs);
    return () => { clearTimeout(timer); waiting.delete(once); };
}

/** For the unit tests: as before the page's map was drawn. */
export function resetMapDrawn() {
    drawnAt = null;
    waiting.clear();
}
