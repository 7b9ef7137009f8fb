// A small chart of one secondary's lag in bytes over the last 15 minutes, from the samples the
// server keeps (lagSamples in /api/status). A gap where storage reported nothing stays a gap.
(function () {
  "use strict";
  const WINDOW_SECONDS = 15 * 60;

  const el = window.RoamstoreSvg.el;

  function bytes(n) {
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
    if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + " KiB";
    return n + " B";
  }

  // samples: {from, offsetsSeconds[], pendingBytes[], seconds[]}; the latest sample at the right.
  function draw(id, samples, width, height) {
    const svg = el("svg", { id: id, class: "lag-chart", width: width, height: height, viewBox: "0 0 " + width + " " + height });
    const offsets = (samples && samples.offsetsSeconds) || [];
    const values = (samples && samples.pendingBytes) || [];
    svg.setAttribute("data-samples", String(offsets.length));
    el("rect", { class: "frame", x: 0, y: 0, width: width, height: height }, svg);
    if (offsets.length === 0) {
      el("title", {}, svg).textContent = "no samples yet";
      return svg;
    }
    const last = offsets[offsets.length - 1];
    const reported = values.filter((v) => v != null);
    const max = Math.max(1, ...reported);
    const x = (t) => width - ((last - t) / WINDOW_SECONDS) * width;
    const y = (v) => height - 1 - (v / max) * (height - 2);
    let points = [];
    const flush = () => {
      if (points.length) el("polyline", { points: points.join(" ") }, svg);
      points = [];
    };
    offsets.forEach((t, i) => (values[i] == null ? flush() : points.push(x(t).toFixed(1) + "," + y(values[i]).toFixed(1))));
    flush();
    const now = values[values.length - 1];
    const seconds = samples.seconds[samples.seconds.length - 1];
    el("title", {}, svg).textContent =
      offsets.length +
      " samples since " +
      new Date(samples.from).toLocaleTimeString() +
      "; peak " +
      (reported.length ? bytes(max) : "not reported") +
      ", now " +
      (now == null ? "not reported" : bytes(now) + (seconds != null && now ? " (~" + seconds + " s)" : ""));
    return svg;
  }

  window.RoamstoreLagChart = { draw: draw, bytes: bytes };
})();
