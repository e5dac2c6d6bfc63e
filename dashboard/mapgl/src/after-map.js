/*
 * AfterMap: its children are mounted only once the page's DeckMap has drawn its values (fills, outlines and overlays),
 * and, where it is hidden when it mounts (a closed topic tab's pane), only once it is first shown.
 *
 * Why: a Plotly graph (the overview's histogram; the topic panels' charts, which dbc.Tabs would mount although their
 * panes are hidden) makes dcc load and evaluate plotly.js (under this engine its basic bundle: 1.2 MB, ~0.15 s of main
 * thread; the full one 4.8 MB, ~0.8 s), which ran
 * right before the map's first frame and delayed it; the panels' tables load dcc's table chunk as well. The children
 * stay in the page's layout (their prerendered props and callbacks are unchanged: Dash keeps them in its store and a
 * component reads them when it mounts); only their drawing waits. Until then the outer element has its `style` (a min-height
 * keeps the children's space, so nothing moves when they appear). After SAFETY_MS without the map (no WebGL, a map that
 * fails) they are mounted anyway. One hidden when it mounts (a topic tab's pane) mounts when it is first shown, and not
 * before, map drawn or not: a user who opens the tab before the map is drawn does not look at an empty pane, and a pane
 * never opened costs nothing. Every mounted Dash component is walked by Dash's renderer on each of its store updates
 * (dozens per callback, 2–4 ms each with the panes mounted: issue 19); the five hidden panes held about half of the
 * page's 520 components. Used only where the page has a DeckMap (`dashboard.mapgl.after_map`): with Plotly's map engine
 * the map itself needs plotly.js.
 */
import {afterMapDrawn} from "./map-drawn.js";

const React = window.React;
const h = React.createElement;
// from this component's mounting; generous, as the map may take several seconds on a slow, busy machine, and mounting
// early only costs the map its head start, never correctness
const SAFETY_MS = 8000;

export class AfterMap extends React.Component {
    constructor(props) {
        super(props);
        this.root = React.createRef();
        this.state = {ready: false}; // decided once mounted: hidden or not (a language switch remounts the tabs)
    }

    componentDidMount() {
        const el = this.root.current;
        if (el && el.offsetWidth === 0 && typeof ResizeObserver !== "undefined") { // hidden now: mount once shown
            // in the frame that shows it (React would otherwise render a ResizeObserver's update after that paint)
            const flush = window.ReactDOM && window.ReactDOM.flushSync ? window.ReactDOM.flushSync : (fn) => fn();
            this.shown = new ResizeObserver(() => { if (el.offsetWidth > 0) { this.stop(); flush(() => this.setState({ready: true})); } });
            this.shown.observe(el);
            return;
        }
        // shown: once the map is drawn (at once if it is; a setState here renders before the browser paints)
        this.cancel = afterMapDrawn(() => { this.stop(); this.setState({ready: true}); }, SAFETY_MS);
    }

    stop() {
        if (this.cancel) { this.cancel(); this.cancel = null; }
        if (this.shown) { this.shown.disconnect(); this.shown = null; }
    }

    componentWillUnmount() {
        this.stop();
    }

    render() {
        const {id, style, className, children} = this.props, ready = this.state.ready;
        return h("div", {id, style, className, ref: this.root, "data-after-map": ready ? "mounted" : "waiting", "aria-busy": ready ? null : "true"},
            ready ? children : null);
    }
}
