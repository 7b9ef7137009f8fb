// The status page's timeline: the directory's last events from /api/history, newest first, in
// words. The filter (volume, user) is checked by the server; a refused filter leaves the shown
// timeline and the filter in force as they were.
(function () {
  "use strict";

  function describe(e) {
    switch (e.type) {
      case "LOGIN":
        return e.user + " logged in to " + e.volume + " via " + e.networkInterface + " at " + e.dataCenter + " (" + e.outcome.toLowerCase().replace(/_/g, " ") + ")";
      case "PRIMARY_SWITCHED":
        return e.volume + ": primary moved " + e.from + " \u2192 " + e.to + " for " + e.user + (e.switchMillis != null ? ", the switch took " + e.switchMillis.toFixed(1) + " ms" : "") + " (epoch " + e.epoch + ")";
      case "FORCED_TAKEOVER":
        return e.volume + ": forced takeover " + e.from + " \u2192 " + e.to + " for " + e.user + (e.switchMillis != null ? " in " + e.switchMillis.toFixed(1) + " ms" : "") + (e.possibleLoss ? "; possible loss: " + e.possibleLoss : "");
      case "DATA_CENTER_ADDED":
        return "data center " + e.dataCenter + " added (storage system " + e.storageSystem + ", from " + e.source + ")";
      case "DATA_CENTER_REMOVED":
        return "data center " + e.dataCenter + " removed";
      case "DATA_CENTER_DOWN":
        return e.dataCenter + " marked down (" + String(e.reason).toLowerCase() + ")";
      case "DATA_CENTER_UP":
        return e.dataCenter + " marked up";
      case "VOLUME_CREATED":
        return e.volume + " created for " + e.owner + ", primary " + e.primary;
      case "VOLUME_DELETED":
        return e.volume + " deleted";
      case "COPY_ADDED":
        return e.volume + ": copy added at " + e.dataCenter + ", copying from " + e.primary + (e.replaces ? ", to replace the copy at " + e.replaces : "");
      case "COPY_IN_SYNC":
        return e.volume + ": copy at " + e.dataCenter + " in sync and verified";
      case "COPY_DROPPED":
        return e.volume + ": copy at " + e.dataCenter + " dropped" + (e.movedTo ? " (moved to " + e.movedTo + ")" : "");
      case "COPY_MOVED":
        return e.volume + ": copy moved " + e.from + " \u2192 " + e.to;
      case "VERIFY_STARTED":
        return e.volume + ": verify of " + (e.secondaries || []).join(", ") + " started by " + e.by;
      case "VERIFY_FINISHED":
        return e.volume + ": verify finished, " + String(e.outcome).toLowerCase().replace(/_/g, " ");
      case "PLACEMENT_SET":
        return e.volume + ": placement policy " + e.mode;
      case "PLACEMENT_ADD":
      case "PLACEMENT_DROP":
        return e.volume + ": placement (" + e.mode + ") " + (e.type === "PLACEMENT_ADD" ? "adds a copy at " : "drops the copy at ") + e.dataCenter + ": " + e.reason;
      case "PLACEMENT_FAILED":
        return e.volume + ": placement could not " + String(e.action).toLowerCase() + " the copy at " + e.dataCenter + ": " + e.error;
      default:
        return e.type;
    }
  }

  function render(list, events) {
    list.replaceChildren();
    for (const e of events) {
      const item = document.createElement("li");
      item.className = "event " + e.type.toLowerCase().replace(/_/g, "-");
      item.dataset.type = e.type;
      if (e.volume) item.dataset.volume = e.volume;
      if (e.user || e.by) item.dataset.user = e.user || e.by;
      const time = document.createElement("time");
      time.dateTime = e.at;
      time.textContent = new Date(e.at).toLocaleTimeString();
      item.appendChild(time);
      item.appendChild(document.createTextNode(" " + describe(e))); // text, never HTML
      list.appendChild(item);
    }
    if (!events.length) {
      const item = document.createElement("li");
      item.className = "note";
      item.textContent = "nothing yet (the history starts when the gateway starts)";
      list.appendChild(item);
    }
  }

  window.RoamstoreHistory = { render: render };
})();
