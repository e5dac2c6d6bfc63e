/*
 * AfterMap: its children are mounted only once the page's DeckMap has drawn its values (fills, outlines and overlays).
 *
 * Why: a Plotly graph (the overview's histogram; the topic panels' charts, which dbc.Tabs mounts although their panes are
 * hidden) makes dcc load and evaluate plotly.js (4.8 MB; ~0.6 s of main thread in software WebGL), which ran right
 * before the map's first frame and delayed it; the panels' tables load dcc's table chunk as well. The children stay in
 * the page's layout (their prerendered props and callbacks are unchanged: Dash keeps them in its store and a component
 * reads them when it mounts); only their drawing waits. Until then the outer element has its `style` (a min-height
 * keeps the children's space, so nothing moves when they appear). After SAFETY_MS without the map (no WebGL, a map that
 * fails) they are mounted anyway. One hidden when it mounts (a topic tab's pane) mounts as soon as it is shown: a user who
 * opens the tab before the map is drawn does not look at an empty pane. Used only where the page has a DeckMap (`dashboard.mapgl.after_map`): with Plotly's map
 * engine the map itself needs plotly.js.
 */
import {afterMapDrawn, mapDrawnAt} from "./map-drawn.js";

const React = window.React;
const h = React.createElement;
// from this component's mounting; generous, as the map may take several seconds on a slow, busy machine, and mounting
// early only costs the map its head start, never correctness
const SAFETY_MS = 8000;

export class AfterMap extends React.Component {
    constructor(props) {
        super(props);
        this.root = React.createRef();
        this.state = {ready: mapDrawnAt() !== null};
    }

    componentDidMount() {
        if (this.state.ready) { return; }
        const ready = () => { this.stop(); this.setState({ready: true}); };
        this.cancel = afterMapDrawn(ready, SAFETY_MS);
        const el = this.root.current;
        if (el && el.offsetWidth === 0 && typeof ResizeObserver !== "undefined") { // hidden now: mount once shown
            this.shown = new ResizeObserver(() => { if (el.offsetWidth > 0) { ready(); } });
            this.shown.observe(el);
        }
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
