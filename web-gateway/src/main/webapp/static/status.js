// Redraws the status tables from /api/status, every few seconds, without reloading the page.
(function () {
  "use strict";
  const script = document.currentScript;
  const api = script.dataset.api;
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

  function bytes(n) {
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
    if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + " KiB";
    return n + " B";
  }

  function short(text) {
    return text.length > 80 ? text.slice(0, 77) + "..." : text;
  }

  function lag(member) {
    if (member.primary) return "primary";
    const l = member.lag;
    if (!l || l.state == null) return "lag: not reported";
    const parts = [l.state.toLowerCase().replace("_", " ")];
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

  function draw(status) {
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
      cell(row, g.volume);
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

  async function poll() {
    try {
      const answer = await fetch(api, { credentials: "same-origin", cache: "no-store" });
      if (!answer.ok) throw new Error("HTTP " + answer.status);
      draw(await answer.json());
    } catch (e) {
      document.getElementById("status-error").textContent = "(last refresh failed: " + e.message + ")";
    } finally {
      setTimeout(poll, refresh);
    }
  }
  poll();
})();
