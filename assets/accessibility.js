/*
 * Accessibility repairs of third-party components (see docs/accessibility.md, "Repairs in the browser").
 *
 * Dash loads every script in assets/ (same origin, so the portal's CSP allows it). The page is rendered by React, so
 * the repairs run again whenever the DOM changes (a MutationObserver, batched per animation frame), and each only
 * writes an attribute when its value differs, so repairs never trigger themselves.
 *
 * - dbc.Tabs (dash-bootstrap-components 2.0): every tab link has tabindex="-1" and the id/aria-controls "…-tab-null",
 *   so no tab is reachable by keyboard and the tab/panel pairs are broken. Repaired: the active tab is the tab stop
 *   (roving tabindex), ids and aria-controls match the panels, aria-selected is set, arrow keys / Home / End move
 *   between tabs, Enter and Space activate one. A tab whose label is a short form gets its full name (the pane's
 *   data-tab-title) as tooltip and accessible name.
 * - dcc.Dropdown (Dash 4): the tab stop is a hidden, aria-hidden <input> that forwards focus to the button; the button's
 *   name is only its current value. Repaired: the button itself is the tab stop, named by its visible label and value.
 * - dcc.Slider (Dash 4): the thumb (role=slider) has no name and reads its position index. Repaired: named by the visible
 *   label, aria-valuetext is the mark at the current position (e.g. "12/24").
 * - dcc.Clipboard: a <div> with a click handler. Repaired: role=button, focusable, named by its title, Enter/Space copy.
 * - Form groups whose dbc.Label has no html_for (inputs, number fields of sliders): the unnamed controls of a group with
 *   exactly one label are labelled by it (aria-labelledby).
 * - dash_table.DataTable: the paging buttons are icons without a name. Repaired: named in the page's language.
 */
(function () {
    "use strict";

    function set(el, name, value) {
        if (value === null || value === undefined) {
            if (el.hasAttribute(name)) { el.removeAttribute(name); }
        } else if (el.getAttribute(name) !== String(value)) {
            el.setAttribute(name, String(value));
        }
    }

    function visibleLabel(el) {
        // the dbc.Label / <label> of the form group the control sits in
        const group = el.closest(".mb-3, .mb-2, .a11y-field");
        const label = group && group.querySelector("label");
        return label && label.textContent.trim() ? label : null;
    }

    function ensureId(el, fallback) {
        if (!el.id) { el.id = fallback; }
        return el.id;
    }

    function repairTabs() {
        document.querySelectorAll(".nav-tabs[role=tablist], .nav-pills[role=tablist]").forEach(function (list) {
            const tabs = Array.from(list.querySelectorAll("[role=tab]"));
            const content = list.nextElementSibling && list.nextElementSibling.classList.contains("tab-content") ? list.nextElementSibling : null;
            const panes = content ? Array.from(content.children).filter(function (p) { return p.getAttribute("role") === "tabpanel"; }) : [];
            const anyActive = tabs.some(function (tab) { return tab.classList.contains("active"); });
            tabs.forEach(function (tab, i) {
                const active = tab.classList.contains("active") || (!anyActive && i === 0);
                const pane = panes.length === tabs.length ? panes[i] : null;
                if (pane && pane.getAttribute("aria-labelledby")) {
                    set(tab, "id", pane.getAttribute("aria-labelledby"));
                    set(tab, "aria-controls", pane.id);
                } else if (tab.getAttribute("aria-controls") && !document.getElementById(tab.getAttribute("aria-controls"))) {
                    set(tab, "aria-controls", null);
                }
                // a short label's full name (dashboard/layout.py puts it on the pane's content) as tooltip and name
                const named = pane && pane.querySelector(":scope > [data-tab-title], :scope > div > [data-tab-title]");
                if (named) {
                    set(tab, "title", named.getAttribute("data-tab-title"));
                    set(tab, "aria-label", named.getAttribute("data-tab-title"));
                }
                set(tab, "aria-selected", active ? "true" : "false");
                set(tab, "tabindex", active ? "0" : "-1");
            });
        });
    }

    function repairDropdowns() {
        document.querySelectorAll(".dash-dropdown-wrapper").forEach(function (wrapper) {
            const proxy = wrapper.querySelector(":scope > .dash-dropdown-focus-target");
            const button = wrapper.querySelector(":scope > button.dash-dropdown");
            if (!button) { return; }
            if (proxy) { set(proxy, "tabindex", "-1"); }
            if (!button.disabled) { set(button, "tabindex", "0"); }
            const label = visibleLabel(wrapper);
            if (label) {
                const labelId = ensureId(label, button.id + "-label");
                const current = (button.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
                if (current[0] !== labelId) {
                    set(button, "aria-labelledby", [labelId].concat(current.filter(function (x) { return x !== labelId; })).join(" "));
                }
            }
        });
    }

    function repairSliders() {
        document.querySelectorAll(".dash-slider-root").forEach(function (root) {
            const marks = Array.from(root.querySelectorAll(".dash-slider-mark"));
            root.querySelectorAll("[role=slider]").forEach(function (thumb) {
                const label = visibleLabel(root);
                if (label) { set(thumb, "aria-label", label.textContent.trim()); }
                const min = Number(thumb.getAttribute("aria-valuemin")), max = Number(thumb.getAttribute("aria-valuemax"));
                const now = Number(thumb.getAttribute("aria-valuenow"));
                if (marks.length === max - min + 1 && Number.isInteger(now - min) && marks[now - min]) {
                    set(thumb, "aria-valuetext", marks[now - min].textContent.trim());
                }
            });
        });
    }

    function repairClipboards() {
        document.querySelectorAll("div[title] > svg.fa-copy, div[title] > svg.fa-check").forEach(function (icon) {
            const box = icon.parentElement;
            set(box, "role", "button");
            set(box, "tabindex", "0");
            set(box, "aria-label", box.getAttribute("title"));
        });
    }

    function hasName(el) {
        if ((el.getAttribute("aria-label") || "").trim() || (el.getAttribute("aria-labelledby") || "").trim()) { return true; }
        if (el.closest("label")) { return true; }
        return !!(el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]'));
    }

    function repairFormLabels() {
        // a form group with one visible <label> (dbc.Label without html_for) names its unnamed controls
        document.querySelectorAll(".mb-2, .mb-3, .a11y-field").forEach(function (group) {
            const labels = group.querySelectorAll("label");
            if (labels.length !== 1 || labels[0].htmlFor || !labels[0].textContent.trim()) { return; }
            const controls = group.querySelectorAll("input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea");
            controls.forEach(function (control, i) {
                if (hasName(control) || control.classList.contains("dash-dropdown-focus-target")) { return; }
                const labelId = ensureId(labels[0], (control.id || "a11y-control-" + i) + "-label");
                set(control, "aria-labelledby", labelId);
            });
        });
    }

    const PAGER_NAMES = {
        de: {"first-page": "Erste Seite", "previous-page": "Vorige Seite", "next-page": "Nächste Seite", "last-page": "Letzte Seite"},
        en: {"first-page": "First page", "previous-page": "Previous page", "next-page": "Next page", "last-page": "Last page"},
    };

    function repairTablePagers() {
        // dash_table.DataTable: the paging buttons are icons without a name
        const names = PAGER_NAMES[document.documentElement.lang === "en" ? "en" : "de"];
        document.querySelectorAll(".dash-table-container .previous-next-container button").forEach(function (button) {
            const kind = Object.keys(names).find(function (k) { return button.classList.contains(k); });
            if (kind) { set(button, "aria-label", names[kind]); }
        });
    }

    function repairAll() {
        repairTabs();
        repairDropdowns();
        repairSliders();
        repairClipboards();
        repairFormLabels();
        repairTablePagers();
    }

    let queued = false;
    function schedule() {
        if (queued) { return; }
        queued = true;
        window.requestAnimationFrame(function () { queued = false; repairAll(); });
    }

    document.addEventListener("keydown", function (event) {
        const target = event.target;
        if (!(target instanceof Element)) { return; }
        if (target.getAttribute("role") === "tab") {
            const list = target.closest("[role=tablist]");
            const tabs = list ? Array.from(list.querySelectorAll("[role=tab]")) : [];
            const i = tabs.indexOf(target);
            let next = null;
            if (event.key === "ArrowRight") { next = tabs[(i + 1) % tabs.length]; }
            if (event.key === "ArrowLeft") { next = tabs[(i - 1 + tabs.length) % tabs.length]; }
            if (event.key === "Home") { next = tabs[0]; }
            if (event.key === "End") { next = tabs[tabs.length - 1]; }
            if (next) { event.preventDefault(); next.focus(); next.click(); return; }
            if (event.key === " " || event.key === "Enter") { event.preventDefault(); target.click(); }
            return;
        }
        if (target.getAttribute("role") === "button" && target.tagName === "DIV" && (event.key === " " || event.key === "Enter")) {
            event.preventDefault();
            target.click();
        }
    });

    function start() {
        repairAll();
        new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true, attributes: true,
                                                              attributeFilter: ["class", "tabindex", "aria-labelledby", "aria-valuenow", "aria-hidden", "lang"]});
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
