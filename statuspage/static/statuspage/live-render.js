/* The live page's renderer: live.js loads it when summary.json first differs from what the
   page shows (a quiet first visit never does), and calls it with each new summary. It writes
   what changed in place (the banner, the components' statuses, the incident and maintenance
   cards, an incident's timeline), says it once through the polite live region (nothing takes
   the focus), and answers whether anything is still active. Text from the server only ever
   goes in as textContent. */
window.noroshiLiveRender = (function () {
  "use strict";
  var config, labels, read;
  var names = {};  // component id -> its name as the page writes it ("Platform › API")

  /* --- Words and times ---------------------------------------------------------------- */

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  // `template` into `parent`, with `node` (a <time>) where %(key)s stands.
  function fillWithNode(parent, template, key, node) {
    var mark = "%(" + key + ")s", at = template.indexOf(mark);
    parent.append(template.slice(0, at), node, template.slice(at + mark.length));
  }

  function news(name, status) {
    return fill(labels.text.news, { name: name, status: labels.status[status] || status });
  }

  var root = document.documentElement;
  var pageZone = root.getAttribute("data-time-zone");
  var visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var visitorFormat = new Intl.DateTimeFormat(root.lang || undefined, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZoneName: "short"
  });

  // As local-time.js writes a time in the visitor's zone.
  function inVisitorZone(date) {
    var parts = {};
    visitorFormat.formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" +
      parts.minute + " " + parts.timeZoneName;
  }

  function offsetOf(iso) {
    var found = /(Z|[+-]\d\d:\d\d)$/.exec(iso);
    return !found || found[1] === "Z" ? "+00:00" : found[1];
  }

  // The abbreviation the server wrote beside a time of this offset (JST), else UTC+hh:mm.
  function zoneLabel(offset) {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var at = times[i].getAttribute("datetime");
      if (at.length < 17 || offsetOf(at) !== offset) continue;
      // local-time.js keeps the server's words in the title when it rewrites a time.
      var words = (visitorZone !== pageZone ? times[i].title : times[i].textContent).split(" ");
      if (words.length === 3) return words[2];
    }
    return "UTC" + offset;
  }

  // An /api/v2 time ("2026-03-10T12:00:00.000+09:00", in the page's zone) as the page shows one.
  function timeElement(iso) {
    var element = document.createElement("time");
    var offset = offsetOf(iso);
    var pageText = iso.slice(0, 10) + " " + iso.slice(11, 16) + " " + zoneLabel(offset);
    element.setAttribute("datetime", iso);
    if (visitorZone && visitorZone !== pageZone) {
      element.title = pageText;
      element.textContent = inVisitorZone(new Date(iso));
    } else {
      element.title = pageZone + " (UTC" + offset + ")";
      element.textContent = pageText;
    }
    return element;
  }

  /* --- Pieces of the page, from /api/v2 objects ---------------------------------------- */

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function learnNames(components) {
    var groups = {};
    components.forEach(function (c) { if (c.group) groups[c.id] = c.name; });
    components.forEach(function (c) {
      names[c.id] = c.group_id && groups[c.group_id] ? groups[c.group_id] + " › " + c.name : c.name;
    });
  }

  // An update's Markdown as plain paragraphs: links keep their words, emphasis marks go.
  function paragraphs(markdown) {
    return (markdown || "").split(/\n\s*\n/).map(function (block) {
      return block.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/\*\*|__|`/g, "")
        .replace(/^\s*(#+|[-*+]|\d+\.)\s+/gm, "").trim();
    }).filter(Boolean).map(function (text) { return element("p", null, text); });
  }

  function withEditedMark(meta, update) {
    if (Date.parse(update.updated_at) - Date.parse(update.created_at) < 1000) return meta;
    var mark = element("span", "edited");
    fillWithNode(mark, labels.text.edited, "edited", timeElement(update.updated_at));
    meta.append(" ", mark);
    return meta;
  }

  function nameList(components) {
    var list = element("ul", "inline-list");
    components.forEach(function (c) { list.append(element("li", null, names[c.id] || c.name)); });
    return list;
  }

  function versioned(node, id, updatedAt, kind) {
    node.setAttribute("data-" + kind, id);
    node.setAttribute("data-updated", String(Date.parse(updatedAt)));
    return node;
  }

  function isCurrent(node, updatedAt) {
    return node.getAttribute("data-updated") === String(Date.parse(updatedAt));
  }

  // A card of the overview (includes/incident_card.html).
  function card(item) {
    var maintenance = item.impact === "maintenance";
    var node = element("article", "card " + (maintenance ? "kind-maintenance" : "impact-" + item.impact));
    node.setAttribute("aria-labelledby", "card-" + item.id);
    var heading = element("h3");
    var link = element("a", null, item.name);
    heading.id = "card-" + item.id;
    link.href = config.incident_url.replace("__id__", encodeURIComponent(item.id));
    heading.append(link);
    var meta = element("p", "meta");
    meta.append(element("span", null, fill(labels.text.status, { status: labels.status[item.status] })));
    if (!maintenance) {
      meta.append(element("span", null, fill(labels.text.impact, { impact: labels.impact[item.impact] })));
    }
    node.append(heading, meta);
    if (maintenance) {
      var window_ = element("p", null, labels.text.scheduled + " ");
      window_.append(timeElement(item.scheduled_for), " – ", timeElement(item.scheduled_until));
      node.append(window_);
    }
    var update = item.incident_updates[0];
    if (update) {
      var body = element("div", "body inline-first");
      body.append(element("span", "update-status", labels.status[update.status]), " — ");
      body.append.apply(body, paragraphs(update.body));
      var posted = element("p", "meta");
      fillWithNode(posted, labels.text.posted, "posted", timeElement(update.display_at));
      node.append(body, withEditedMark(posted, update));
    }
    if (item.components.length) {
      var affected = element("div", "meta affected", labels.text.affected + " ");
      affected.append(nameList(item.components));
      node.append(affected);
    }
    return versioned(node, item.id, item.updated_at, "incident");
  }

  // An entry of an incident page's timeline (incident.html).
  function timelineEntry(update) {
    var node = element("article");
    var heading = element("h3", null, labels.status[update.status]);
    heading.id = "update-" + update.id;
    node.setAttribute("aria-labelledby", heading.id);
    var meta = element("p", "meta");
    meta.append(timeElement(update.display_at));
    var body = element("div", "body");
    body.append.apply(body, paragraphs(update.body));
    node.append(heading, withEditedMark(meta, update), body);
    if (update.affected_components) {
      var changes = element("ul", "changes");
      update.affected_components.forEach(function (change) {
        var was = change.old_status !== change.new_status ? labels.component[change.old_status] + " → " : "";
        changes.append(element("li", null, (names[change.code] || change.name) + ": " + was +
          labels.component[change.new_status]));
      });
      node.append(changes);
    }
    var item = element("li");
    item.append(versioned(node, update.id, update.updated_at, "update"));
    return item;
  }

  // Keep `wanted` (nodes) as `list`'s children matching `selector`, in that order, moving
  // nothing already in place (a moved node would lose the keyboard focus).
  function keepInOrder(list, selector, wanted) {
    var current = Array.prototype.filter.call(list.children, function (n) { return n.matches(selector); });
    current.forEach(function (n) { if (wanted.indexOf(n) < 0) n.remove(); });
    var kept = current.filter(function (n) { return wanted.indexOf(n) >= 0; });
    if (kept.length === wanted.length && wanted.every(function (n, i) { return kept[i] === n; })) return;
    wanted.forEach(function (n) { list.append(n); });
  }

  /* --- The overview -------------------------------------------------------------------- */

  var ICONS = {
    none: ["M6.5 12.5l3.5 3.5 7.5-8", "2.6"],
    maintenance: ["M12 6v6l4 2", "2.6"],
    trouble: ["M12 6v7M12 16.5v1.5", "2.8"]
  };

  function showBanner(status, said) {
    var banner = document.getElementById("page-status");
    if (!banner || banner.classList.contains("b-" + status.indicator)) return;
    var icon = ICONS[status.indicator] || ICONS.trouble;
    var mark = banner.querySelector(".icon-mark");
    banner.className = "banner b-" + status.indicator;
    if (mark) { mark.setAttribute("d", icon[0]); mark.setAttribute("stroke-width", icon[1]); }
    banner.querySelector("span").textContent = labels.banner[status.indicator] || status.description;
    said.push(banner.textContent.trim());
  }

  // False when a component the page should now show has no row here (it needs a reload).
  function showComponents(components, said) {
    var complete = true;
    components.forEach(function (c) {
      var row = document.querySelector('[data-component="' + CSS.escape(c.id) + '"]');
      if (!row) {
        if (!c.group && !(c.only_show_if_degraded && c.status === "operational")) complete = false;
        return;
      }
      var status = row.querySelector(".status");
      if (!status || status.classList.contains("s-" + c.status)) return;
      status.className = "status s-" + c.status;
      status.textContent = labels.component[c.status] || c.status;
      if (!c.group) said.push(fill(labels.text.news, { name: names[c.id], status: status.textContent }));
    });
    return complete;
  }

  // The cards of one list of the overview as `items` say; `ended` names the status of one
  // that left it (resolved, completed).
  function syncCards(kind, items, said, ended) {
    var list = document.querySelector('[data-cards="' + kind + '"]');
    if (!list) return;
    var shown = {};
    list.querySelectorAll("article[data-incident]").forEach(function (n) { shown[n.getAttribute("data-incident")] = n; });
    var wanted = items.map(function (item) {
      var node = shown[item.id];
      delete shown[item.id];
      if (node && isCurrent(node, item.updated_at)) return node;
      said.push(news(item.name, item.status));
      var fresh = card(item);
      if (node) node.replaceWith(fresh);
      return fresh;
    });
    Object.keys(shown).forEach(function (id) {
      if (ended) said.push(news(shown[id].querySelector("h3").textContent, ended));
    });
    keepInOrder(list, "article[data-incident]", wanted);
    list.hidden = !wanted.length;
  }

  function applyOverview(summary) {
    var said = [];
    var maintenance = summary.scheduled_maintenances;
    var active = maintenance.filter(function (m) { return m.status === "in_progress" || m.status === "verifying"; });
    showBanner(summary.status, said);
    var complete = showComponents(summary.components, said);
    syncCards("incidents", summary.incidents, said, "resolved");
    syncCards("maintenance", active, said, "completed");
    syncCards("upcoming", maintenance.filter(function (m) { return m.status === "scheduled"; }), said, "");
    finish(summary.page.updated_at, said, complete);
    return summary.incidents.length > 0 || active.length > 0;
  }

  /* --- An incident's page -------------------------------------------------------------- */

  function showEnd(item) {
    var components = document.getElementById("incident-components");
    var subscribe = document.querySelector(".subscribe-link");
    if (subscribe) subscribe.remove();
    if (!item.resolved_at || document.getElementById("incident-end") || !components) return;
    var term = element("dt", null, labels.status[item.impact === "maintenance" ? "completed" : "resolved"]);
    var value = element("dd");
    value.id = "incident-end";
    value.append(timeElement(item.resolved_at));
    components.parentNode.insertBefore(term, components.previousElementSibling);
    components.parentNode.insertBefore(value, components.previousElementSibling);
  }

  function applyIncident(item) {
    var said = [];
    var page = document.querySelector("article[data-incident]");
    if (!isCurrent(page, item.updated_at)) {
      page.setAttribute("data-updated", String(Date.parse(item.updated_at)));
      document.getElementById("incident-name").textContent = item.name;
      document.getElementById("incident-status").textContent = labels.status[item.status];
      var impact = document.getElementById("incident-impact");
      if (impact && labels.impact[item.impact]) {
        impact.className = "impact impact-" + item.impact;
        impact.textContent = labels.impact[item.impact];
      }
      var components = document.getElementById("incident-components");
      if (components && item.components.length) components.replaceChildren(nameList(item.components));
      var timeline = document.querySelector(".timeline");
      var shown = {};
      timeline.querySelectorAll("article[data-update]").forEach(function (n) { shown[n.getAttribute("data-update")] = n; });
      keepInOrder(timeline, "li", item.incident_updates.map(function (update) {
        var node = shown[update.id];
        if (node && isCurrent(node, update.updated_at)) return node.parentNode;
        var fresh = timelineEntry(update);
        if (node) node.parentNode.replaceWith(fresh);
        return fresh;
      }));
      showEnd(item);
      said.push(news(item.name, item.status));
    }
    finish(item.updated_at, said, true);
  }

  function applyIncidentPage(summary) {
    var open = summary.incidents.concat(summary.scheduled_maintenances);
    var item = open.filter(function (i) { return i.id === config.incident; })[0];
    if (item) {
      applyIncident(item);
      return true;
    }
    // Resolved or completed: its last state is in the list of recent ones.
    return read(config.final).then(function (recent) {
      var rows = recent.incidents || recent.scheduled_maintenances || [];
      var last = rows.filter(function (i) { return i.id === config.incident; })[0];
      if (last) applyIncident(last); else finish(null, [], false);
      return false;
    });
  }

  /* --- Both ---------------------------------------------------------------------------- */

  function finish(updatedAt, said, complete) {
    var stamp = document.querySelector(".last-updated time");
    if (stamp && updatedAt && stamp.getAttribute("datetime") !== updatedAt) {
      stamp.replaceWith(timeElement(updatedAt));
    }
    if (!complete && !document.getElementById("live-reload")) {
      var notice = element("p", "live-notice", labels.text.reload + " ");
      var link = element("a", null, labels.text.reload_link);
      notice.id = "live-reload";
      link.href = location.href;
      notice.append(link);
      document.querySelector(".last-updated").after(notice);
      said.push(labels.text.reload);
    }
    var region = document.getElementById("live-news");
    if (region && said.length) region.textContent = said.join(" ");
  }

  // Apply one summary; true (or a promise of it) while something is still active.
  return function (givenConfig, summary, givenRead) {
    config = givenConfig;
    labels = config.labels;
    read = givenRead;
    learnNames(summary.components);
    return config.incident ? applyIncidentPage(summary) : applyOverview(summary);
  };
})();
