// kg view: a self-contained force layout of one neighbourhood. No libraries, no network.
// Every string from the data is inserted with textContent or setAttribute, never as markup.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var COLORS = {
    Paper: "#4e79a7", Method: "#e15759", Dataset: "#59a14f", Task: "#f28e2b",
    Domain: "#b07aa1", Author: "#9c755f", CodeRepository: "#76b7b2"
  };
  var FALLBACK = "#8c8c8c";
  var W = 1000, H = 700;

  function el(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function html(tag, text, parent, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  // ---- graph ---------------------------------------------------------------------------
  var nodes = data.nodes.map(function (n, i) {
    return { d: n, i: i, x: 0, y: 0, vx: 0, vy: 0, deg: 0, fixed: false };
  });
  var byId = {};
  nodes.forEach(function (n) { byId[n.d.id] = n; });
  var edges = [];
  data.edges.forEach(function (e) {
    var s = byId[e.source], t = byId[e.target];
    if (s && t) { edges.push({ d: e, s: s, t: t }); s.deg++; t.deg++; }
  });
  function radius(n) { return 5 + 3 * Math.sqrt(n.deg); }

  // ---- layout: deterministic start on a spiral, then a fixed number of force steps ------
  var center = byId[data.concept.id];
  nodes.forEach(function (n, i) {
    var a = i * 2.399963, r = 30 + 12 * Math.sqrt(i);  // golden-angle spiral
    n.x = W / 2 + r * Math.cos(a); n.y = H / 2 + r * Math.sin(a);
  });
  if (center) { center.x = W / 2; center.y = H / 2; }
  function step(alpha) {
    var i, j, a, b, dx, dy, d2, d, f;
    for (i = 0; i < nodes.length; i++) {
      a = nodes[i];
      for (j = i + 1; j < nodes.length; j++) {
        b = nodes[j];
        dx = a.x - b.x; dy = a.y - b.y; d2 = dx * dx + dy * dy + 0.01;
        f = 250 * alpha / d2;
        a.vx += dx * f; a.vy += dy * f; b.vx -= dx * f; b.vy -= dy * f;
      }
    }
    edges.forEach(function (e) {
      dx = e.t.x - e.s.x; dy = e.t.y - e.s.y; d = Math.sqrt(dx * dx + dy * dy) + 0.01;
      f = (d - 60) * 0.08 * alpha / d;
      e.s.vx += dx * f; e.s.vy += dy * f; e.t.vx -= dx * f; e.t.vy -= dy * f;
    });
    nodes.forEach(function (n) {
      n.vx += (W / 2 - n.x) * 0.02 * alpha; n.vy += (H / 2 - n.y) * 0.02 * alpha;
      var v = Math.sqrt(n.vx * n.vx + n.vy * n.vy);
      if (v > 30) { n.vx *= 30 / v; n.vy *= 30 / v; }  // no node flies off
      if (!n.fixed) { n.x += n.vx; n.y += n.vy; }
      n.vx *= 0.6; n.vy *= 0.6;
    });
  }
  for (var k = 0; k < 300; k++) { step(1 - k / 300); }

  // ---- drawing ----------------------------------------------------------------------------
  var svg = document.getElementById("graph");
  var viewport = el("g", { id: "viewport" }, svg);
  var edgeLayer = el("g", { "class": "edges" }, viewport);
  var nodeLayer = el("g", { "class": "nodes" }, viewport);
  edges.forEach(function (e) {
    var g = el("g", { "class": "edge" }, edgeLayer);
    e.line = el("line", { "stroke-width": Math.min(1 + Math.log(e.d.count || 1), 4) }, g);
    e.label = el("text", { "class": "edge-label" }, g);
    e.label.textContent = e.d.relation;
    g.addEventListener("mouseenter", function (ev) { showEdge(e, ev); });
    g.addEventListener("mouseleave", hideTip);
    e.g = g;
  });
  nodes.forEach(function (n) {
    var g = el("g", { "class": "node", "data-id": n.d.id, "data-type": n.d.type }, nodeLayer);
    n.circle = el("circle", { r: radius(n), fill: COLORS[n.d.type] || FALLBACK }, g);
    var label = el("text", { dx: radius(n) + 3, dy: 4 }, g);
    var name = String(n.d.name || n.d.id);
    label.textContent = name.length > 48 ? name.slice(0, 47) + "\u2026" : name;
    if (n === center) { g.setAttribute("class", "node center"); }
    g.addEventListener("mouseenter", function (ev) { showNode(n, ev); });
    g.addEventListener("mouseleave", hideTip);
    g.addEventListener("pointerdown", function (ev) { startDrag(n, ev); });
    n.g = g;
  });
  function render() {
    edges.forEach(function (e) {
      e.line.setAttribute("x1", e.s.x); e.line.setAttribute("y1", e.s.y);
      e.line.setAttribute("x2", e.t.x); e.line.setAttribute("y2", e.t.y);
      e.label.setAttribute("x", (e.s.x + e.t.x) / 2); e.label.setAttribute("y", (e.s.y + e.t.y) / 2);
    });
    nodes.forEach(function (n) { n.g.setAttribute("transform", "translate(" + n.x + "," + n.y + ")"); });
  }
  render();

  // ---- pan, zoom, drag ---------------------------------------------------------------------
  var view = { x: 0, y: 0, k: 1 };
  function applyView() {
    viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
    svg.style.setProperty("--k", Math.sqrt(Math.min(view.k, 2)));  // labels shrink less than the graph
  }
  (function fit() {  // start with every node in sight
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    nodes.forEach(function (n) {
      x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y); x1 = Math.max(x1, n.x); y1 = Math.max(y1, n.y);
    });
    if (!nodes.length) { return; }
    var pad = 60, k = Math.min(2, (W - 2 * pad) / Math.max(x1 - x0, 1), (H - 2 * pad) / Math.max(y1 - y0, 1));
    view.k = k; view.x = W / 2 - k * (x0 + x1) / 2; view.y = H / 2 - k * (y0 + y1) / 2;
    applyView();
  })();

  // ---- tooltips -----------------------------------------------------------------------------
  var tip = document.getElementById("tooltip");
  function placeTip(ev) {
    tip.style.left = (ev.clientX + 14) + "px"; tip.style.top = (ev.clientY + 14) + "px";
    tip.hidden = false;
  }
  function row(label, value) {
    if (value === undefined || value === null || value === "" ||
        (Array.isArray(value) && !value.length)) { return; }
    var p = html("div", null, tip, "row");
    html("span", label + ": ", p, "key");
    html("span", Array.isArray(value) ? value.join("; ") : value, p);
  }
  function showNode(n, ev) {
    tip.textContent = "";
    html("div", n.d.name || n.d.id, tip, "title");
    row("type", n.d.type); row("id", n.d.id); row("year", n.d.year);
    row("aliases", (n.d.aliases || []).slice(0, 8)); row("links here", n.deg);
    placeTip(ev);
  }
  function showEdge(e, ev) {
    tip.textContent = "";
    html("div", e.s.d.name + " \u2192 " + e.d.relation + " \u2192 " + e.t.d.name, tip, "title");
    row("mentions", e.d.count); row("rule", e.d.rule); row("confidence", e.d.confidence);
    row("field", e.d.field); row("papers", e.d.paper_count);
    if (e.d.sentence) { html("blockquote", e.d.sentence, tip); }
    placeTip(ev);
  }
  function hideTip() { tip.hidden = true; }

  function toGraph(ev) {
    var r = svg.getBoundingClientRect();
    var sx = W / r.width, sy = H / r.height;
    return { x: ((ev.clientX - r.left) * sx - view.x) / view.k, y: ((ev.clientY - r.top) * sy - view.y) / view.k };
  }
  var drag = null;
  function startDrag(n, ev) { ev.stopPropagation(); drag = { node: n }; n.fixed = true; }
  svg.addEventListener("pointerdown", function (ev) { drag = { pan: true, x: ev.clientX, y: ev.clientY }; });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) { return; }
    if (drag.node) { var p = toGraph(ev); drag.node.x = p.x; drag.node.y = p.y; render(); }
    else { view.x += ev.clientX - drag.x; view.y += ev.clientY - drag.y; drag.x = ev.clientX; drag.y = ev.clientY; applyView(); }
  });
  window.addEventListener("pointerup", function () { drag = null; });
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = toGraph(ev), k = Math.max(0.2, Math.min(5, view.k * (ev.deltaY < 0 ? 1.15 : 1 / 1.15)));
    view.x -= p.x * (k - view.k); view.y -= p.y * (k - view.k); view.k = k; applyView();
  }, { passive: false });

  // ---- search -------------------------------------------------------------------------------
  var search = document.getElementById("search"), found = document.getElementById("found");
  function matches(n, q) {
    var hay = [n.d.name, n.d.id].concat(n.d.aliases || []).join("\n").toLowerCase();
    return hay.indexOf(q) >= 0;
  }
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase(), hits = 0;
    nodes.forEach(function (n) {
      var hit = q && matches(n, q);
      if (hit) { hits++; }
      n.g.classList.toggle("match", !!hit);
      n.g.classList.toggle("dim", !!q && !hit);
    });
    found.textContent = q ? hits + " of " + nodes.length : "";
  });

  // ---- legend (click a type to hide or show it) ------------------------------------------------
  var legend = document.getElementById("legend"), counts = {}, hidden = {};
  nodes.forEach(function (n) { counts[n.d.type] = (counts[n.d.type] || 0) + 1; });
  Object.keys(counts).sort().forEach(function (t) {
    var item = html("li", null, legend);
    var sw = html("span", null, item, "swatch");
    sw.style.background = COLORS[t] || FALLBACK;
    html("span", t + " (" + counts[t] + ")", item);
    item.addEventListener("click", function () {
      hidden[t] = !hidden[t];
      item.classList.toggle("off", hidden[t]);
      nodes.forEach(function (n) { if (n.d.type === t) { n.g.style.display = hidden[t] ? "none" : ""; } });
      edges.forEach(function (e) {
        e.g.style.display = (hidden[e.s.d.type] || hidden[e.t.d.type]) ? "none" : "";
      });
    });
  });
  var labels = document.getElementById("labels");
  if (edges.length > 50) {  // a crowded view shows relations on hover only, until asked
    labels.checked = false;
    svg.classList.add("no-edge-labels");
  }
  labels.addEventListener("change", function (ev) {
    svg.classList.toggle("no-edge-labels", !ev.target.checked);
  });
  document.getElementById("concept").textContent = data.concept.type + ": " + data.concept.name;
  document.getElementById("summary").textContent =
    nodes.length + " nodes, " + edges.length + " edges" + (data.truncated ? " (truncated)" : "");
  document.body.setAttribute("data-ready", "1");
})();
