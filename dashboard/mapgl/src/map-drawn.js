/*
 * "The map is drawn", as a once-only signal inside the bundle: DeckMap announces it, AfterMap waits for it.
 *
 * Why: what else on the page is slow to start (plotly.js: its basic bundle 1.2 MB, ~0.15 s on the main thread, the full
 * one 4.8 MB, ~0.8 s, in software WebGL; the topic panels' tables) would otherwise run right before the map's first frame and delay it. Module state,
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

/*
 * "These values are on screen", every time: what follows the map's answer (the linked views, the accessible summary)
 * waits for it through a clientside gate (dashboard/callbacks/main_map.py FRAME_GATE), so that their requests and Dash's
 * renderer's work on them come after the map's frame, not before it.
 */

let showing = null; // the page's DeckMap: whether it shows its current values whole (or cannot draw until its geometry is in)
const shownWaiting = new Set();

/**
 * The page's map says how to tell whether its current values are on screen (DeckMap, when it mounts); `null` when it
 * unmounts (`previous`: its own check, so that a map mounted meanwhile stays registered).
 */
export function registerShowing(isShowing, previous = undefined) {
    if (isShowing === null && previous !== undefined && showing !== previous) { return; }
    showing = isShowing;
}

/** The page's map has drawn a frame: whoever waits for its values and now sees them shown goes on. */
export function frameDrawn() {
    if (showing && !showing()) { return; }
    const callbacks = Array.from(shownWaiting);
    shownWaiting.clear();
    callbacks.forEach((callback) => callback());
}

/**
 * A promise that resolves once the map shows its current values (checked after the next animation frame, so that a
 * figure the map has just been given counts, not the one before), or after `timeoutMs` (a map that never draws must
 * not hold the views back). At once without a DeckMap on the page (Plotly's engine).
 */
export function whenValuesShown(timeoutMs) {
    if (!showing) { return Promise.resolve(); }
    return new Promise((resolve) => {
        let timer = null;
        const once = () => { clearTimeout(timer); shownWaiting.delete(once); resolve(); };
        timer = setTimeout(once, timeoutMs);
        const check = () => { if (!showing || showing()) { once(); } else { shownWaiting.add(once); } };
        if (typeof requestAnimationFrame === "function") { requestAnimationFrame(check); } else { check(); }
    });
}

/** For the unit tests: no map registered, nobody waiting. */
export function resetValuesShown() {
    showing = null;
    shownWaiting.clear();
}
