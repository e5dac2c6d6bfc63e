/* ?embed=1: the page shows the map, its legend and the key figures only (for a frame on another site; the sites allowed
 * to frame the app are set by `embed_origins`). Set before Dash renders, so nothing else flashes up. */
(function () {
    if (/[?&]embed=1(&|$)/i.test(window.location.search)) {
        document.documentElement.classList.add("qa-embed");
    }
})();
