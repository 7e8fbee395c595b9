/* The live page's renderer: page.js loads it when summary.json first differs from what the
   page shows (a quiet first visit never does), and calls it at each change. It asks for the
   page's own address (a cached page, the same any reload gets) and writes what differs into
   the page from that HTML, so that what appears in place is what a reload would show: the
   sanitised Markdown, links, "edited" marks, the page's language; page.js then shows times
   in the visitor's zone as it does on load.

   Only what changed on the server is touched: the page is made of parts, each a child of an
   element marked data-parts and named by data-part, its id, or its tag, class and place. A
   part whose server HTML is unchanged stays as it is (with the focus, a group opened or
   closed, the scroll position anchored to it); a changed one is replaced, or, when it is
   itself marked data-parts, gone through in the same way. What changed is said once through
   the polite live region; nothing takes the focus. */
window.noroshiLiveRender = (function () {
  "use strict";
  var before = null;  // the server's HTML of what the page shows, parsed (its <main>)
  var labels;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function words(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function versionOf(scope) {
    var stamp = scope.querySelector(".last-updated[data-version]");
    return stamp ? Number(stamp.getAttribute("data-version")) : null;
  }

  /* --- Parts ----------------------------------------------------------------------------- */

  function keyOf(node, counts) {
    var named = node.getAttribute("data-part") || node.id;
    if (named) return "#" + named;
    var kind = node.tagName + "." + node.className;
    counts[kind] = (counts[kind] || 0) + 1;
    return kind + ":" + counts[kind];
  }

  function partsOf(parent) {
    var parts = {}, counts = {};
    Array.prototype.forEach.call(parent.children, function (child) { parts[keyOf(child, counts)] = child; });
    return parts;
  }

  function imported(fresh) {
    var node = document.importNode(fresh, true);
    window.noroshiPage.enhance(node);
    return node;
  }

  function sameAttributes(current, fresh) {
    Array.prototype.slice.call(current.attributes).forEach(function (a) {
      if (!fresh.hasAttribute(a.name)) current.removeAttribute(a.name);
    });
    Array.prototype.forEach.call(fresh.attributes, function (a) {
      if (current.getAttribute(a.name) !== a.value) current.setAttribute(a.name, a.value);
    });
  }

  // Put `wanted` as `parent`'s children in that order, moving none already in place (a moved
  // node would lose the keyboard focus).
  function place(parent, wanted) {
    var at = parent.firstElementChild;
    wanted.forEach(function (node) {
      if (node === at) at = at.nextElementSibling;
      else parent.insertBefore(node, at);
    });
  }

  /* Make `current` (in the page) show `fresh` (the server's HTML now) where it differs from
     `old` (the server's HTML before); return the node now in its place. */
  function sync(current, old, fresh, isContainer) {
    if (old && old.outerHTML === fresh.outerHTML) return current;
    if (!old || !(isContainer || fresh.hasAttribute("data-parts"))) {
      var node = imported(fresh);
      current.replaceWith(node);
      return node;
    }
    if (!isContainer) sameAttributes(current, fresh);
    var shown = partsOf(current), was = partsOf(old), counts = {};
    var wanted = Array.prototype.map.call(fresh.children, function (child) {
      var key = keyOf(child, counts);
      var node = shown[key];
      delete shown[key];
      return node ? sync(node, was[key], child, false) : imported(child);
    });
    Object.keys(shown).forEach(function (key) { shown[key].remove(); });
    place(current, wanted);
    return current;
  }

  /* --- Focus ----------------------------------------------------------------------------
     A replaced part takes the focus with it: it goes to the same element of the new part
     (found by the nearest id or data-part, then by its place among its kind). */

  function focusPlace() {
    var active = document.activeElement;
    if (!active || active === document.body) return null;
    var anchor = active.closest("[id],[data-part]");
    if (!anchor) return null;
    var selector = anchor.id ? "#" + CSS.escape(anchor.id)
      : '[data-part="' + CSS.escape(anchor.getAttribute("data-part")) + '"]';
    var kind = active.tagName;
    var index = anchor === active ? -1 : Array.prototype.indexOf.call(anchor.querySelectorAll(kind), active);
    return { element: active, selector: selector, kind: kind, index: index };
  }

  function restoreFocus(place) {
    if (!place || place.element.isConnected) return;
    var anchor = document.querySelector(place.selector);
    var target = anchor && (place.index < 0 ? anchor : anchor.querySelectorAll(place.kind)[place.index]);
    if (target) target.focus({ preventScroll: true });
  }

  /* --- What is said ---------------------------------------------------------------------- */

  function componentName(row) {
    var group = row.closest("details.group");
    var name = words(row.querySelector(".name"));
    return group ? words(group.querySelector("summary .name")) + " › " + name : name;
  }

  function byId(scope, selector, attribute) {
    var found = {};
    scope.querySelectorAll(selector).forEach(function (node) { found[node.getAttribute(attribute)] = node; });
    return found;
  }

  // The banner, the components whose status changed, the cards that changed or left, or the
  // incident of the page; in the page's language.
  function news(old, fresh) {
    var said = [];
    var banner = fresh.querySelector("#page-status");
    var oldBanner = old.querySelector("#page-status");
    if (banner && (!oldBanner || oldBanner.outerHTML !== banner.outerHTML)) said.push(words(banner));
    var rows = byId(old, ".component[data-component]", "data-component");
    fresh.querySelectorAll(".component[data-component]").forEach(function (row) {
      var status = words(row.querySelector(".status"));
      var was = rows[row.getAttribute("data-component")];
      if (!was || words(was.querySelector(".status")) !== status) {
        said.push(fill(labels.news, { name: componentName(row), status: status }));
      }
    });
    var cards = byId(old, "[data-cards] article[data-incident]", "data-incident");
    var now = byId(fresh, "[data-cards] article[data-incident]", "data-incident");
    Object.keys(now).forEach(function (id) {
      var card = now[id];
      if (cards[id] && cards[id].getAttribute("data-updated") === card.getAttribute("data-updated")) return;
      said.push(fill(labels.news, { name: words(card.querySelector("h3")), status: card.getAttribute("data-status") }));
    });
    Object.keys(cards).forEach(function (id) {
      var ended = labels.ended[cards[id].closest("[data-cards]").getAttribute("data-cards")];
      if (!now[id] && ended) said.push(fill(labels.news, { name: words(cards[id].querySelector("h3")), status: ended }));
    });
    var incident = fresh.querySelector("article[data-incident][data-parts]");
    var oldIncident = old.querySelector("article[data-incident][data-parts]");
    if (incident && (!oldIncident || oldIncident.getAttribute("data-updated") !== incident.getAttribute("data-updated"))) {
      said.push(fill(labels.news, { name: words(incident.querySelector("#incident-name")), status: words(incident.querySelector("#incident-status")) }));
    }
    return said;
  }

  /* --- The page -------------------------------------------------------------------------- */

  function write(doc) {
    var main = doc.getElementById("main");
    var said = news(before, main);
    var focus = focusPlace();
    sync(document.querySelector("#main > .wrap"), before.querySelector(".wrap"), main.querySelector(".wrap"), true);
    restoreFocus(focus);
    document.title = doc.title;
    var icon = document.querySelector("link[rel=icon]"), freshIcon = doc.querySelector("link[rel=icon]");
    if (icon && freshIcon && icon.href !== freshIcon.href) icon.setAttribute("href", freshIcon.getAttribute("href"));
    var region = document.getElementById("live-news");
    if (region && said.length) region.textContent = said.join(" ");
    before = main;
  }

  /* Write the page's new version; answer whether it is still live, and whether what it now
     shows is at least as new as `seen` (the summary's version; "gone": the incident left it). */
  return function (config, written, seen) {
    labels = config.labels;
    before = before || new DOMParser().parseFromString(written, "text/html").getElementById("main");
    return fetch(location.href, { cache: "no-store", credentials: "omit" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var live = doc.getElementById("live-config") !== null;
      var fetched = versionOf(doc), shown = versionOf(document);
      // A copy older than the page (a proxy may keep one for a second): asked again later.
      if (live && (fetched === null || (shown !== null && fetched <= shown))) {
        return { live: true, current: false };
      }
      write(doc);
      return { live: live, current: !live || fetched >= Number(seen) };
    });
  };
})();
