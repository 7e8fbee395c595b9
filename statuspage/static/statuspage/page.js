/* The public page's one script, deferred: a first visit asks for one file, whatever the page.
   Each part acts only where the page has what it works on:
   - times: every date and time in the visitor's own zone (every <time datetime>, and the day
     and month headings that lists are grouped under);
   - bars: the uptime bars and calendars used from the keyboard, their days naming their zone;
   - live: while an incident or maintenance is active (#live-config), /api/v2/summary.json is
     read every few seconds, and a change is written in place by live-render.js, loaded then.
   Without JavaScript the page is whole: times in the page's zone, days followed by their
   links, a reload for news. window.noroshiPage.enhance(node) does the first two to what
   live-render.js writes. */
(function () {
  "use strict";
  var root = document.documentElement;
  var pageZone = root.getAttribute("data-time-zone");
  var visitorZone = window.Intl && Intl.DateTimeFormat && Intl.DateTimeFormat().resolvedOptions().timeZone;
  var otherZone = !!visitorZone && visitorZone !== pageZone;

  // `scope`'s elements matching `selector`, `scope` itself included.
  function within(scope, selector) {
    var found = Array.prototype.slice.call(scope.querySelectorAll(selector));
    if (scope.matches && scope.matches(selector)) found.unshift(scope);
    return found;
  }

  /* --- Times ----------------------------------------------------------------------------
     Entries listed under day or month headings move to the heading of their day in the
     visitor's zone (statuspage/views/day_groups.py says why, and renders the spare headings
     another zone may need). Uptime days stay days of the page's zone (they are counted on the
     server): their dates name that zone, and so does the footer. */

  var format = null;
  // Keys are written in ASCII digits whatever the page's language ("en-CA" is YYYY-MM-DD).
  var keyFormat = null;

  function text(date) {
    format = format || new Intl.DateTimeFormat(root.lang || undefined, {
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23", timeZoneName: "short"
    });
    var p = {};
    format.formatToParts(date).forEach(function (part) { p[part.type] = part.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + " " +
      p.timeZoneName;
  }

  /* "2026-03-09" (a day) or "2026-03" (a month) of `date` in the visitor's zone. */
  function key(date, kind) {
    keyFormat = keyFormat || new Intl.DateTimeFormat("en-CA", {
      year: "numeric", month: "2-digit", day: "2-digit"
    });
    var day = keyFormat.format(date);
    return kind === "month" ? day.slice(0, 7) : day;
  }

  /* The `count` days ending with the day `last` ("2026-03-09"), as keys. */
  function daysEnding(last, count) {
    var ymd = last.split("-").map(Number);
    var keys = [];
    for (var n = 0; n < count; n++) {
      keys.push(new Date(Date.UTC(ymd[0], ymd[1] - 1, ymd[2] - n)).toISOString().slice(0, 10));
    }
    return keys;
  }

  function rewriteTimes(scope) {
    within(scope, "time[datetime]").forEach(function (element) {
      var date = new Date(element.getAttribute("datetime"));
      if (element.getAttribute("datetime").length < 11 || isNaN(date)) return;
      element.title = element.textContent;
      element.textContent = text(date);
    });
  }

  /* Move each entry of a [data-regroup] list under the group of its own day (or month) in
     the visitor's zone, newest first; show the groups of the same span the page shows (the
     last days up to today there, or the page's months), each saying when it is empty. */
  function regroup(list) {
    var kind = list.getAttribute("data-regroup");
    var groups = Array.prototype.slice.call(list.querySelectorAll("[data-group]"));
    var byKey = {};
    groups.forEach(function (group) { byKey[group.getAttribute("data-group")] = group; });
    var shown = groups.filter(function (group) { return !group.hidden; })
      .map(function (group) { return group.getAttribute("data-group"); });
    if (kind === "day") {
      shown = daysEnding(key(new Date(list.getAttribute("data-now")), "day"), shown.length);
    }
    var entries = Array.prototype.slice.call(list.querySelectorAll("[data-at]"));
    entries.sort(function (a, b) {
      return new Date(b.getAttribute("data-at")) - new Date(a.getAttribute("data-at"));
    });
    entries.forEach(function (entry) {
      var group = byKey[key(new Date(entry.getAttribute("data-at")), kind)];
      if (group) group.appendChild(entry);
      else entry.hidden = true;  // a day no heading here shows: on the next page, or gone
    });
    groups.forEach(function (group) {
      group.hidden = shown.indexOf(group.getAttribute("data-group")) < 0;
      var empty = group.querySelector(".empty");
      if (empty) empty.hidden = group.querySelector("[data-at]:not([hidden])") !== null;
    });
  }

  function rewriteNote() {
    var note = document.getElementById("time-zone-note");
    if (!note || !note.getAttribute("data-visitor")) return;
    // Where uptime days are shown, say they stay days of the page's zone.
    var days = document.querySelector("[data-zone-note]");
    var template = days ? days.getAttribute("data-zone-note") : note.getAttribute("data-visitor");
    note.textContent = template.replace("{zone}", visitorZone);
  }

  function showTimes(scope) {
    if (!otherZone) return;  // without Intl, or in the page's own zone, the server's words stay
    rewriteTimes(scope);
    within(scope, "[data-regroup]").forEach(regroup);
  }

  /* --- Bars -----------------------------------------------------------------------------
     One Tab stop per uptime bar or calendar, arrow keys move between its days, Enter on a day
     with incidents opens that day's history. Without JavaScript a bar's stop is its last day
     (today) and a calendar's every day; each day names itself in words either way, and a
     pointer follows a day's link. */

  var KEYS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

  function visible(cells) {
    return cells.filter(function (cell) { return cell.offsetParent !== null; });
  }

  function follow(cell) {
    var link = cell.tagName === "A" ? null : cell.querySelector("a[href]");
    if (link) link.click();
  }

  function setUpDays(container, step, selector) {
    var cells = Array.prototype.slice.call(container.querySelectorAll(selector));
    if (!cells.length) return;
    cells.forEach(function (cell) { cell.tabIndex = -1; });
    cells[cells.length - 1].tabIndex = 0;
    container.addEventListener("keydown", function (event) {
      var shown = visible(cells);
      var index = shown.indexOf(document.activeElement);
      if (index < 0) return;
      if (event.key === "Enter") return follow(shown[index]);
      var target = index;
      if (event.key in KEYS) target = index + (step === 1 ? Math.sign(KEYS[event.key]) : KEYS[event.key]);
      else if (event.key === "Home") target = 0;
      else if (event.key === "End") target = shown.length - 1;
      else return;
      target = Math.max(0, Math.min(shown.length - 1, target));
      event.preventDefault();
      shown[index].tabIndex = -1;
      shown[target].tabIndex = 0;
      shown[target].focus();
    });
  }

  /* " (Asia/Tokyo)" after each day's date when the visitor's zone is another: a bar's day
     names itself in its aria-label (its first line is the date), a calendar's in its tip. */
  function nameTheZone(scope) {
    if (!otherZone || !pageZone) return;
    var suffix = " (" + pageZone + ")";
    within(scope, ".bar > li[aria-label]").forEach(function (cell) {
      var label = cell.getAttribute("aria-label");
      var end = label.indexOf("\n");
      if (end < 0) end = label.length;
      cell.setAttribute("aria-label", label.slice(0, end) + suffix + label.slice(end));
    });
    within(scope, ".calendar .tip > strong").forEach(function (date) {
      date.textContent += suffix;
    });
  }

  function setUpBars(scope) {
    within(scope, ".bar").forEach(function (bar) { setUpDays(bar, 1, ":scope > li"); });
    within(scope, ".calendar").forEach(function (table) { setUpDays(table, 7, ".day"); });
    nameTheZone(scope);
  }

  /* --- Live -----------------------------------------------------------------------------
     statuspage/views/live.py says which pages are live. Requests are conditional
     (If-None-Match): an unchanged summary is a 304 with no body. None is made in a hidden
     tab, fewer after errors. The renderer (live-render.js) is fetched only once a summary
     differs from the version the page was rendered from, so a first visit stays light; it
     rewrites the page from the server's own HTML of it. Polling stops once nothing is
     active, after that last state is written. */

  var MAX_DELAY = 600000;
  // Times a page fetched older than the summary (a proxy's copy a second old) is asked again.
  var MAX_TRIES = 3;

  function startLive() {
    var source = document.getElementById("live-config");
    var shown = document.querySelector(".last-updated[data-version]");
    var main = document.getElementById("main");
    if (!source || !shown || !main || !window.fetch || !window.DOMParser || !window.CSS) return;
    var config = JSON.parse(source.textContent);
    // The page as the server wrote it, before the other parts change it: what the renderer
    // compares the server's next version with.
    var written = main.outerHTML;
    var state = { etag: null, failures: 0, timer: 0, busy: false, last: 0, stopped: false,
      summary: null, tries: 0 };
    var version = shown.getAttribute("data-version");  // ms since the epoch, as /api/v2 times
    var renderer = null;

    function read(url) {
      var headers = {};
      if (state.etag) headers["If-None-Match"] = state.etag;
      // no-store: the browser's cache stays out of it, and a 304 reaches this code as one.
      return fetch(url, { headers: headers, cache: "no-store", credentials: "omit" }).then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("HTTP " + response.status);
        state.etag = response.headers.get("ETag");
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

    // The version of what the page shows in `summary`: the page's, or its incident's ("gone"
    // once it has left the summary: resolved, completed).
    function versionIn(summary) {
      if (!config.incident) return String(Date.parse(summary.page.updated_at));
      var open = summary.incidents.concat(summary.scheduled_maintenances);
      var item = open.filter(function (i) { return i.id === config.incident; })[0];
      return item ? String(Date.parse(item.updated_at)) : "gone";
    }

    // True (or a promise of it) while something is still active.
    function apply(summary) {
      var seen = versionIn(summary);
      if (seen === version) return true;
      return render().then(function (write) {
        return write(config, written, seen);
      }).then(function (result) {
        if (result.current || ++state.tries >= MAX_TRIES) {
          version = seen;
          state.tries = 0;
        }
        return result.live;
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
      read(config.summary).then(function (summary) {
        // A 304 after a page that was not yet current: the last summary is tried again.
        if (summary) state.summary = summary;
        return state.summary ? apply(state.summary) : true;
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
  }

  function enhance(scope) {
    showTimes(scope);
    setUpBars(scope);
  }

  window.noroshiPage = { enhance: enhance };

  function start() {
    startLive();  // first: it keeps the page as the server wrote it
    enhance(document);
    if (otherZone) rewriteNote();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
