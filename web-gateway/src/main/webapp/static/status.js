// Redraws the status page from /api/status and /api/history every few seconds, without reloading
// it: the map (status-map.js), the tables with their lag charts (status-lag-chart.js) and progress
// bars, the selected volume's details and the history (status-history.js).
(function () {
  "use strict";
  const script = document.currentScript;
  const api = script.dataset.api;
  const historyApi = script.dataset.history;
  const refresh = Number(script.dataset.refresh) || 2000;
  const verifyAction = script.dataset.verify;
  const csrfField = script.dataset.csrfField;
  const csrf = script.dataset.csrf;

  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text; // never innerHTML: names come from users
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  const bytes = window.RoamstoreLagChart.bytes;
  let selected = null; // the volume whose details show
  let historyFilter = new URLSearchParams(); // the filter in force, as the server accepted it
  let lastStatus = null;

  function short(text) {
    return text.length > 80 ? text.slice(0, 77) + "..." : text;
  }

  function lag(member) {
    if (member.primary) return "primary";
    const l = member.lag;
    if (!l || l.state == null) return "lag: not reported";
    const parts = [l.state.toLowerCase().replace(/_/g, " ")];
    if (l.pendingBytes) parts.push(bytes(l.pendingBytes) + " behind");
    if (l.seconds != null && l.pendingBytes) parts.push("~" + l.seconds.toFixed(1) + " s");
    if (l.outOfSyncBytes) parts.push(bytes(l.outOfSyncBytes) + " to resync");
    if (l.resyncPercent != null && l.resyncPercent < 100) parts.push("resync " + l.resyncPercent + "%");
    return parts.join(", ");
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : "";
  }

  // One secondary's running or last verify, as storage reports it; nothing is assumed.
  function verifyCell(td, volume, member) {
    const line = document.createElement("div");
    line.className = "verify";
    line.id = "verify-" + volume + "-" + member.dataCenter;
    const l = member.lag;
    const v = l ? l.verify : null;
    let text;
    if (!l || l.state == null) {
      text = "not reported";
    } else if (!v) {
      text = "never verified";
    } else if (v.outcome === "RUNNING") {
      text = "running " + v.percent + "% (since " + when(v.startedAt) + ")";
    } else if (v.outcome === "NO_DIFFERENCE") {
      text = "no difference, " + when(v.finishedAt);
    } else if (v.outcome === "DIFFERENCES") {
      text =
        v.differingRegions +
        " region(s) differed" +
        (v.repair ? ", repaired" : ", NOT repaired") +
        ", " +
        when(v.finishedAt);
    } else {
      text = "interrupted at " + v.percent + "%, " + when(v.finishedAt) + (v.detail ? ": " + v.detail : "");
    }
    line.textContent = member.dataCenter + ": " + text;
    line.dataset.outcome = !l || l.state == null ? "NOT_REPORTED" : v ? v.outcome : "NEVER";
    if (v && v.outcome === "RUNNING") {
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = v.percent;
      line.appendChild(bar);
    }
    td.appendChild(line);
  }

  function verifyButton(td, volume) {
    const form = document.createElement("form");
    form.method = "post";
    form.action = verifyAction;
    form.className = "verify";
    for (const [name, value] of [
      [csrfField, csrf],
      ["volume", volume],
    ]) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    const button = document.createElement("button");
    button.type = "submit";
    button.id = "verify-button-" + volume;
    button.textContent = "Verify";
    form.appendChild(button);
    td.appendChild(form);
  }

  // One progress bar per long operation (drain, resync, verify); no value when storage did not
  // say how far it got, which a browser shows as a bar that runs without a figure.
  function operationsCell(td, group) {
    for (const op of group.operations) {
      const line = document.createElement("div");
      line.className = "operation " + op.kind.toLowerCase();
      line.id = "progress-" + group.volume + "-" + op.kind.toLowerCase() + "-" + op.dataCenter;
      const what = op.kind === "DRAIN" ? "drain " + op.from + " \u2192 " + op.dataCenter : op.kind.toLowerCase() + " " + op.dataCenter;
      line.textContent = what + (op.percent != null ? " " + op.percent + "%" : "") + " ";
      const bar = document.createElement("progress");
      bar.max = 100;
      if (op.percent != null) bar.value = op.percent;
      line.appendChild(bar);
      td.appendChild(line);
    }
  }

  function lagCharts(td, group, width, height) {
    for (const m of group.members.filter((m) => !m.primary)) {
      const line = document.createElement("div");
      line.className = "lag-series";
      line.textContent = m.dataCenter + " ";
      line.appendChild(window.RoamstoreLagChart.draw("lag-chart-" + group.volume + "-" + m.dataCenter, m.lagSamples, width, height));
      td.appendChild(line);
    }
  }

  function select(volume) {
    selected = volume;
    if (lastStatus) draw(lastStatus);
  }

  function details(status) {
    const box = document.getElementById("volume-details");
    const g = status.copyGroups.find((c) => c.volume === selected);
    if (!g) return;
    box.replaceChildren();
    const title = document.createElement("h3");
    title.id = "details-volume";
    title.textContent = g.volume;
    box.appendChild(title);
    const facts = document.createElement("dl");
    facts.className = "facts";
    const fact = (name, value) => {
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      dd.textContent = value;
      facts.append(dt, dd);
      return dd;
    };
    fact("Owner", g.owner);
    fact("Transfer", g.transferType);
    fact("Primary", g.primary).id = "details-primary";
    fact("Epoch", String(g.epoch));
    if (g.lastSwitchAt) fact("Last switch", when(g.lastSwitchAt));
    for (const m of g.members.filter((m) => !m.primary)) fact(m.dataCenter, lag(m));
    box.appendChild(facts);
    lagCharts(box, g, 240, 48);
    operationsCell(box, g);
  }

  function draw(status) {
    lastStatus = status;
    window.RoamstoreMap.draw(document.getElementById("map"), status, selected, select);
    details(status);
    const sites = document.querySelector("#sites tbody");
    sites.replaceChildren();
    for (const s of status.sites) {
      const row = document.createElement("tr");
      row.id = "site-" + s.name;
      cell(row, s.displayName + " (" + s.name + ")");
      const state = !s.up ? "down" : s.reachable ? "up" : "unreachable";
      cell(row, state, "state " + state);
      cell(row, s.reachable ? String(s.volumes) : "");
      cell(row, s.reachable ? bytes(s.cacheDirtyBytes) : "");
      const detail = cell(row, s.nbd || short(s.error || ""));
      if (s.error) detail.title = s.error;
      sites.appendChild(row);
    }
    const groups = document.querySelector("#groups tbody");
    groups.replaceChildren();
    for (const g of status.copyGroups) {
      const row = document.createElement("tr");
      row.id = "group-" + g.volume;
      const name = cell(row, "", "volume");
      const pick = document.createElement("a");
      pick.href = "#map";
      pick.textContent = g.volume;
      pick.addEventListener("click", () => select(g.volume));
      name.appendChild(pick);
      cell(row, g.owner);
      cell(row, g.transferType);
      cell(row, g.primary, "primary");
      cell(row, String(g.epoch));
      cell(
        row,
        g.members
          .map(
            (m) =>
              m.dataCenter +
              (m.up ? "" : " (down)") +
              ": " +
              (m.storage.epoch != null ? "epoch " + m.storage.epoch : m.storage.error || "?") +
              (lag(m) ? ", " + lag(m) : "")
          )
          .join("; ")
      );
      lagCharts(cell(row, "", "lag"), g, 120, 24);
      operationsCell(cell(row, "", "operations"), g);
      cell(row, String(g.activeGrants));
      const verify = cell(row, "", "verify");
      g.members.filter((m) => !m.primary).forEach((m) => verifyCell(verify, g.volume, m));
      if (!g.members.some((m) => !m.primary)) verify.textContent = "one copy: nothing to compare";
      verifyButton(cell(row, ""), g.volume);
      groups.appendChild(row);
    }
    document.getElementById("updated").textContent = new Date(status.at).toLocaleTimeString();
    document.getElementById("status-error").textContent = "";
  }

  async function getJson(url) {
    const answer = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    const body = await answer.json().catch(() => null);
    if (!answer.ok) {
      const error = new Error(body && body.error ? body.error.message : "HTTP " + answer.status);
      error.status = answer.status;
      throw error;
    }
    return body;
  }

  function historyUrl(filter) {
    const query = filter.toString();
    return historyApi + (query ? "?" + query : "");
  }

  async function drawHistory(filter) {
    const answer = await getJson(historyUrl(filter));
    window.RoamstoreHistory.render(document.getElementById("history"), answer.events);
  }

  // A new filter is in force only once the server took it; a refused one says why and changes
  // nothing.
  document.getElementById("history-filter").addEventListener("submit", async (event) => {
    event.preventDefault();
    const wanted = new URLSearchParams();
    for (const field of ["volume", "user"]) {
      const value = document.getElementById("history-" + field).value.trim();
      if (value) wanted.set(field, value);
    }
    const error = document.getElementById("history-error");
    try {
      await drawHistory(wanted);
      historyFilter = wanted;
      error.textContent = "";
    } catch (e) {
      error.textContent = "Filter not applied: " + e.message;
    }
  });

  async function poll() {
    try {
      draw(await getJson(api));
      await drawHistory(historyFilter);
    } catch (e) {
      document.getElementById("status-error").textContent = "(last refresh failed: " + e.message + ")";
    } finally {
      setTimeout(poll, refresh);
    }
  }
  poll();
})();
