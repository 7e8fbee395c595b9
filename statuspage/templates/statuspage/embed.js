/* Noroshi status embed (statuspage/views/embed.py). On another site, shows a small banner while
   an incident is open or maintenance is in progress on this status page, with links to it.
   Reads /api/v2/summary.json (CORS, no cookies); writes text only, styled through the CSSOM
   in a shadow root, so the host page's styles and CSP leave it alone. */
(function (config) {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !window.URL || !document.head.attachShadow) return;
  var base = new URL(script.src, location.href);
  var asked = base.searchParams.get("lang") || script.getAttribute("data-lang") ||
    document.documentElement.lang || "";
  var words = config.languages[asked.toLowerCase().split("-")[0]] || config.languages[config["default"]];
  var COLOURS = { critical: "#cf222e", major: "#bc4c00", minor: "#9a6700", none: "#57606a", maintenance: "#0969da" };
  var SEVERITY = ["maintenance", "none", "minor", "major", "critical"];
  var MAX_DELAY = 600000;
  var STORE = "noroshi-embed-dismissed";
  var host, box, shown = "", timer = 0, busy = false, last = 0, failures = 0;

  function address(path, id) {
    return new URL(path.replace("__id__", encodeURIComponent(id || "")), base).href;
  }

  function element(tag, rules, text) {
    var node = document.createElement(tag);
    Object.keys(rules).forEach(function (name) { node.style.setProperty(name, rules[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function dismissed() {
    try { return sessionStorage.getItem(STORE) || ""; } catch (error) { return ""; }
  }

  function dismiss(key) {
    try { sessionStorage.setItem(STORE, key); } catch (error) { /* private mode: this view only */ }
    shown = key;
    box.replaceChildren();
  }

  function link(text, href, rules) {
    var node = element("a", Object.assign({ color: "#0550ae", "text-decoration": "underline" }, rules), text);
    node.href = href;
    node.target = "_blank";
    node.rel = "noopener";
    return node;
  }

  function card(summary, items, key) {
    var worst = items.reduce(function (w, i) {
      return SEVERITY.indexOf(i.impact) > SEVERITY.indexOf(w) ? i.impact : w;
    }, "maintenance");
    var node = element("div", {
      position: "fixed", right: "16px", bottom: "16px", "z-index": "2147483000",
      "box-sizing": "border-box", width: "340px", "max-width": "calc(100vw - 32px)",
      padding: "12px 40px 12px 14px", background: "#ffffff", color: "#1f2328",
      border: "1px solid #d0d7de", "border-left": "6px solid " + (COLOURS[worst] || COLOURS.none),
      "border-radius": "8px", "box-shadow": "0 6px 20px rgba(0, 0, 0, .18)",
      font: "14px/1.45 system-ui, -apple-system, 'Segoe UI', 'Hiragino Sans', 'Noto Sans JP', sans-serif",
      "text-align": "left"
    });
    node.setAttribute("role", "region");
    node.setAttribute("aria-label", words.region.replace("%(page_name)s", summary.page.name));
    items.slice(0, 3).forEach(function (item) {
      var kind = item.impact === "maintenance" ? words.maintenance_kind : words.incident_kind;
      node.append(
        element("p", { margin: "0", color: "#57606a", "font-size": "12px" },
          kind + " · " + (words.status[item.status] || item.status)),
        element("p", { margin: "0 0 8px", "font-weight": "600" })
      );
      node.lastChild.append(link(item.name, address(words.incident, item.id), {}));
    });
    node.append(link(words.view, address(words.page), { "font-size": "13px" }));
    var close = element("button", {
      position: "absolute", top: "6px", right: "6px", width: "28px", height: "28px",
      border: "0", background: "transparent", color: "#57606a", "font-size": "20px",
      "line-height": "1", cursor: "pointer", padding: "0"
    }, "×");
    close.type = "button";
    close.setAttribute("aria-label", words.dismiss);
    close.addEventListener("click", function () { dismiss(key); });
    node.append(close);
    return node;
  }

  function show(summary) {
    var items = summary.incidents.concat(summary.scheduled_maintenances.filter(function (m) {
      return m.status === "in_progress" || m.status === "verifying";
    }));
    var key = items.map(function (i) { return i.id + "@" + i.updated_at; }).join(" ");
    host.setAttribute("data-state", items.length ? "active" : "quiet");
    if (key === shown) return;
    shown = key;
    if (!items.length || key === dismissed()) box.replaceChildren();
    else box.replaceChildren(card(summary, items, key));
  }

  function delay() {
    return Math.min(config.seconds * 1000 * Math.pow(2, failures), MAX_DELAY);
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function poll() {
    timer = 0;
    if (document.hidden) return;  // a hidden tab asks nothing until shown
    last = Date.now();
    busy = true;
    // A plain GET: no preflight; the browser's cache revalidates it (If-None-Match, 304).
    fetch(address(words.summary), { credentials: "omit" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (summary) {
      busy = false;
      failures = 0;
      show(summary);
      schedule(delay());
    }, function () {
      busy = false;
      failures += 1;
      schedule(delay());
    });
  }

  function start() {
    host = document.createElement("noroshi-status");
    box = document.createElement("div");
    box.setAttribute("aria-live", "polite");
    host.attachShadow({ mode: "open" }).append(box);
    document.body.append(host);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && !timer && !busy) schedule(Math.max(0, last + delay() - Date.now()));
    });
    poll();
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})({{ config|safe }});
