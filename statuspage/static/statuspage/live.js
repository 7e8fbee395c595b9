/* The live page (statuspage/views/live.py): while an incident or maintenance is active, the
   overview or that incident's page reads /api/v2/summary.json every few seconds. Requests are
   conditional (If-None-Match): an unchanged summary is a 304 with no body. None is made in a
   hidden tab, fewer after errors. The renderer (live-render.js) is fetched only once a summary
   differs from the version the page was rendered from, so a first visit stays light. Polling
   stops once nothing is active, after that last state is written. Without JavaScript the
   page is the same, reloaded by hand. */
(function () {
  "use strict";
  var source = document.getElementById("live-config");
  var shown = document.querySelector(".last-updated[data-version]");
  if (!source || !shown || !window.fetch || !window.Intl || !Element.prototype.replaceChildren) return;
  var config = JSON.parse(source.textContent);
  var root = document.documentElement;
  var MAX_DELAY = 600000;
  var state = { etag: null, failures: 0, timer: 0, busy: false, last: 0, stopped: false };
  var version = shown.getAttribute("data-version");  // ms since the epoch, as /api/v2 times
  var renderer = null;

  function read(url, conditional) {
    var headers = {};
    if (conditional && state.etag) headers["If-None-Match"] = state.etag;
    // no-store: the browser's cache stays out of it, and a 304 reaches this code as one.
    return fetch(url, { headers: headers, cache: "no-store", credentials: "omit" }).then(function (response) {
      if (response.status === 304) return null;
      if (!response.ok) throw new Error("HTTP " + response.status);
      if (conditional) state.etag = response.headers.get("ETag");
      return response.json();
    });
  }

  function render() {
    renderer = renderer || new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = config.renderer;
      script.onload = function () { resolve(window.noroshiLiveRender); };
      script.onerror = function () { renderer = null; reject(new Error(config.renderer)); };
      document.head.append(script);
    });
    return renderer;
  }

  // The version of what the page shows in `summary`: the page's, or its incident's.
  function versionIn(summary) {
    var stamp = summary.page.updated_at;
    if (config.incident) {
      var open = summary.incidents.concat(summary.scheduled_maintenances);
      var item = open.filter(function (i) { return i.id === config.incident; })[0];
      stamp = item ? item.updated_at : "";
    }
    return String(Date.parse(stamp));
  }

  function apply(summary) {
    var seen = versionIn(summary);
    if (seen === version) return true;
    return render().then(function (write) {
      return Promise.resolve(write(config, summary, read)).then(function (live) {
        version = seen;
        return live;
      });
    });
  }

  function delay() {
    return Math.min(config.seconds * 1000 * Math.pow(2, state.failures), MAX_DELAY);
  }

  function schedule(ms) {
    clearTimeout(state.timer);
    state.timer = setTimeout(poll, ms);
  }

  // The state is also written on the page (<html data-live>), for whoever checks it.
  function stop() {
    state.stopped = true;
    root.setAttribute("data-live", "stopped");
  }

  function poll() {
    state.timer = 0;
    if (state.stopped || document.hidden) return;  // a hidden tab asks nothing until shown
    state.last = Date.now();
    state.busy = true;
    read(config.summary, true).then(function (summary) {
      return summary ? apply(summary) : true;
    }).then(function (live) {
      state.busy = false;
      state.failures = 0;
      if (live) schedule(delay()); else stop();
    }, function () {
      state.busy = false;
      state.failures += 1;
      state.etag = null;  // read the whole summary again: its last one may not be written
      schedule(delay());
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden || state.stopped || state.timer || state.busy) return;
    schedule(Math.max(0, state.last + delay() - Date.now()));
  });
  root.setAttribute("data-live", "polling");
  schedule(delay());
})();
