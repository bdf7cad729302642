"use strict";
(function () {
  const data = JSON.parse(document.getElementById("pipegen-graph").textContent);
  const root = document.getElementById("pipelines");
  const LAYER = { source: 0, lookup: 0, ingest: 1, topic: 2, stream: 3, sink: 4, archive: 4 };
  const key = (node, column) => node + "\u0000" + column;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function nodeCard(n) {
    const card = el("div", "node k-" + n.kind);
    card.dataset.node = n.id;
    card.appendChild(el("div", "kind", n.kind + " · " + n.engine));
    card.appendChild(el("div", "label", n.label));
    const details = el("ul", "details");
    for (const d of n.details) details.appendChild(el("li", "", d));
    card.appendChild(details);
    const columns = el("div", "columns");
    for (const c of n.columns) {
      const b = el("button", "column", c.name);
      b.type = "button";
      b.title = c.type;
      b.dataset.node = n.id;
      b.dataset.column = c.name;
      columns.appendChild(b);
    }
    card.appendChild(columns);
    return card;
  }

  function drawEdges(section, g) {
    const svg = section.querySelector("svg.edges");
    const box = section.querySelector(".layers").getBoundingClientRect();
    svg.replaceChildren();
    for (const e of g.edges) {
      const a = section.querySelector('.node[data-node="' + CSS.escape(e.from) + '"]');
      const b = section.querySelector('.node[data-node="' + CSS.escape(e.to) + '"]');
      if (!a || !b) continue;
      const ra = a.getBoundingClientRect();
      const rb = b.getBoundingClientRect();
      const forward = rb.left >= ra.right;
      const x1 = (forward ? ra.right : ra.left) - box.left;
      const x2 = (forward ? rb.left : rb.right) - box.left;
      const y1 = ra.top + ra.height / 2 - box.top;
      const y2 = rb.top + rb.height / 2 - box.top;
      const bend = Math.max(30, Math.abs(x2 - x1) / 2) * (forward ? 1 : -1);
      const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
      path.setAttribute("d", `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`);
      path.setAttribute("class", e.kind);
      path.dataset.from = e.from;
      path.dataset.to = e.to;
      svg.appendChild(path);
    }
  }

  /** Every column upstream and downstream of one, through the columns' sources. */
  function lineage(g, start) {
    const up = new Map();
    const down = new Map();
    for (const n of g.nodes)
      for (const c of n.columns)
        for (const f of c.from) {
          const k = key(n.id, c.name);
          const s = key(f.node, f.column);
          up.set(k, (up.get(k) || []).concat([s]));
          down.set(s, (down.get(s) || []).concat([k]));
        }
    const seen = new Set([start]);
    for (const links of [up, down]) {
      const todo = [start];
      while (todo.length) {
        for (const next of links.get(todo.pop()) || [])
          if (!seen.has(next)) {
            seen.add(next);
            todo.push(next);
          }
      }
    }
    return seen;
  }

  function trace(section, g, button) {
    const active = button && !button.classList.contains("start");
    section.classList.toggle("tracing", Boolean(active));
    for (const e of section.querySelectorAll(".on, .start")) e.classList.remove("on", "start");
    if (!active) return;
    const on = lineage(g, key(button.dataset.node, button.dataset.column));
    for (const b of section.querySelectorAll("button.column"))
      if (on.has(key(b.dataset.node, b.dataset.column))) {
        b.classList.add("on");
        b.closest(".node").classList.add("on");
      }
    button.classList.add("start");
  }

  for (const g of data.pipelines) {
    const section = el("section", "pipeline");
    section.dataset.pipeline = g.pipeline;
    section.appendChild(el("h2", "", g.pipeline));
    section.appendChild(el("p", "", g.description + " (" + g.specFile + ")"));
    const layers = el("div", "layers");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "edges");
    layers.appendChild(svg);
    const columns = [0, 1, 2, 3, 4].map(() => layers.appendChild(el("div", "layer")));
    for (const n of g.nodes) columns[LAYER[n.kind]].appendChild(nodeCard(n));
    section.appendChild(layers);
    section.addEventListener("click", (event) => {
      const b = event.target.closest("button.column");
      if (b) trace(section, g, b);
    });
    root.appendChild(section);
  }
  const redraw = () =>
    data.pipelines.forEach((g, i) => drawEdges(root.children[i], g));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape")
      for (const s of root.children) trace(s, null, null);
  });
  window.addEventListener("resize", redraw);
  redraw();
  document.body.dataset.ready = "true";
})();
