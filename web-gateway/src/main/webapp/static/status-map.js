// The status page's map: data centers and network interfaces at their positions, each volume's
// primary as a dot beside its data center, and a line from every primary to each of its
// secondaries coloured by the secondary's state. Hand-drawn SVG from /api/status alone: no map
// tiles or scripts from elsewhere, so it works without the internet.
(function () {
  "use strict";
  const PAD = 60;
  const SITE_RADIUS = 14;
  const DOTS_PER_RING = 16;
  const MAX_DOTS = 48; // beyond that a site says "+N": the dots stay readable

  const el = window.RoamstoreSvg.el;

  function titled(e, text) {
    el("title", {}, e).textContent = text; // textContent: names come from users
    return e;
  }

  // Equirectangular, longitude shrunk by the cosine of the mean latitude, fitted to the box:
  // across a region that is close enough to what people know from maps.
  function projection(points, width, height) {
    const meanLat = points.reduce((a, p) => a + p.latitude, 0) / Math.max(points.length, 1);
    const k = Math.cos((meanLat * Math.PI) / 180);
    const xs = points.map((p) => p.longitude * k);
    const ys = points.map((p) => -p.latitude);
    const minX = Math.min(...xs), maxX = Math.max(...xs);
    const minY = Math.min(...ys), maxY = Math.max(...ys);
    const scale = Math.min(
      (width - 2 * PAD) / Math.max(maxX - minX, 1e-6),
      (height - 2 * PAD) / Math.max(maxY - minY, 1e-6)
    );
    const offX = (width - (maxX - minX) * scale) / 2;
    const offY = (height - (maxY - minY) * scale) / 2;
    return (p) => [offX + (p.longitude * k - minX) * scale, offY + (-p.latitude - minY) * scale];
  }

  // The CSS class of a secondary's state (in-sync, lagging, out-of-sync, resyncing, unknown).
  function stateClass(lag) {
    return lag && lag.state ? lag.state.toLowerCase().replace(/_/g, "-") : "unknown";
  }

  function lineTitle(group, member) {
    const l = member.lag;
    let text = group.volume + ": " + group.primary + " \u2192 " + member.dataCenter + ", ";
    text += l && l.state ? l.state.toLowerCase().replace(/_/g, " ") : "lag not reported";
    if (l && l.pendingBytes) text += ", " + l.pendingBytes + " bytes behind";
    if (l && l.state === "RESYNCING" && l.resyncPercent != null) text += ", " + l.resyncPercent + "%";
    return text;
  }

  // Lines between the same two sites bend apart, so each volume's line stays visible; past 24 the
  // bends repeat rather than leave the map.
  function curve(a, b, n) {
    const k = n % 24;
    const bend = (k % 2 ? 1 : -1) * Math.ceil(k / 2) * 7;
    const mx = (a[0] + b[0]) / 2, my = (a[1] + b[1]) / 2;
    const dx = b[0] - a[0], dy = b[1] - a[1];
    const len = Math.max(Math.hypot(dx, dy), 1);
    const cx = mx - (dy / len) * bend, cy = my + (dx / len) * bend;
    return { d: "M" + a[0] + "," + a[1] + " Q" + cx + "," + cy + " " + b[0] + "," + b[1], mid: [(mx + cx) / 2, (my + cy) / 2] };
  }

  function draw(svg, status, selected, onSelect) {
    const box = svg.viewBox.baseVal;
    const place = projection(status.sites.concat(status.networkInterfaces), box.width, box.height);
    const at = {};
    status.sites.forEach((s) => (at[s.name] = place(s)));
    svg.replaceChildren();

    const links = el("g", { class: "links" }, svg);
    const perPair = {};
    for (const g of status.copyGroups) {
      for (const m of g.members) {
        if (m.primary || !at[g.primary] || !at[m.dataCenter]) continue;
        const pair = [g.primary, m.dataCenter].sort().join("|");
        perPair[pair] = (perPair[pair] || 0) + 1;
        const c = curve(at[g.primary], at[m.dataCenter], perPair[pair] - 1);
        const state = stateClass(m.lag);
        const path = el(
          "path",
          {
            id: "map-link-" + g.volume + "-" + m.dataCenter,
            class: "link " + state + (g.volume === selected ? " selected" : ""),
            d: c.d,
            "data-volume": g.volume,
            "data-state": m.lag && m.lag.state ? m.lag.state : "NOT_REPORTED",
          },
          links
        );
        titled(path, lineTitle(g, m));
        path.addEventListener("click", () => onSelect(g.volume));
        if (m.lag && m.lag.state === "RESYNCING" && m.lag.resyncPercent != null) {
          const label = el("text", { class: "link-label", x: c.mid[0], y: c.mid[1] }, links);
          label.textContent = m.lag.resyncPercent + "%";
        }
      }
    }

    for (const n of status.networkInterfaces) {
      const [x, y] = place(n);
      const g = el("g", { class: "interface", id: "map-interface-" + n.name }, svg);
      titled(el("rect", { x: x - 4, y: y - 4, width: 8, height: 8 }, g), "network interface " + n.displayName);
      el("text", { x: x + 7, y: y + 4, class: "interface-label" }, g).textContent = n.displayName;
    }

    const primariesAt = {};
    for (const g of status.copyGroups) (primariesAt[g.primary] = primariesAt[g.primary] || []).push(g);
    for (const s of status.sites) {
      const [x, y] = at[s.name];
      const state = !s.up ? "down" : s.reachable ? "up" : "unreachable";
      const site = el("g", { class: "site " + state, id: "map-site-" + s.name, "data-name": s.name }, svg);
      titled(el("circle", { class: "site-mark", cx: x, cy: y, r: SITE_RADIUS }, site), s.displayName + " (" + state + ")");
      const held = primariesAt[s.name] || [];
      // Left of the dots: data centers of one region sit close north to south, so a label above
      // one would fall on its neighbour's dots; interfaces are labelled on the right.
      const rings = Math.ceil(Math.min(held.length, MAX_DOTS) / DOTS_PER_RING);
      el("text", { x: x - SITE_RADIUS - 8 - rings * 7, y: y + 4, class: "site-label" }, site).textContent = s.displayName;
      held.slice(0, MAX_DOTS).forEach((g, i) => {
        const ring = Math.floor(i / DOTS_PER_RING);
        const angle = ((i % DOTS_PER_RING) / DOTS_PER_RING) * 2 * Math.PI + ring * 0.2;
        const r = SITE_RADIUS + 6 + ring * 7;
        const dot = el(
          "circle",
          {
            id: "map-primary-" + g.volume,
            class: "primary-marker" + (g.volume === selected ? " selected" : ""),
            cx: x + r * Math.cos(angle),
            cy: y + r * Math.sin(angle),
            r: 3.5,
            "data-volume": g.volume,
            "data-site": s.name,
          },
          site
        );
        titled(dot, g.volume + ": primary at " + s.displayName);
        dot.addEventListener("click", () => onSelect(g.volume));
      });
      if (held.length > MAX_DOTS) {
        el("text", { x: x + SITE_RADIUS + 30, y: y + 4, class: "more" }, site).textContent =
          "+" + (held.length - MAX_DOTS);
      }
    }
  }

  window.RoamstoreMap = { draw: draw, stateClass: stateClass };
})();
