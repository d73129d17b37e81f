// The hall's line, refreshed by push: every element with data-queue-stream listens to the
// hall's ticket events (Server-Sent Events). The call-up screen (data-board) redraws its
// calls and waiting counts from the event; a console or the live view (data-refresh) asks
// the server for its panel again through htmx. The server ends each response after a
// bounded time; EventSource reconnects by itself with Last-Event-ID and misses nothing.
// Words shown come translated from the page (data-window-format, data-recall).
(function () {
  "use strict";
  if (!window.EventSource) return;

  function item(parts) {
    const li = document.createElement("li");
    parts.forEach(function (part) {
      const span = document.createElement("span");
      span.className = part[0];
      span.textContent = part[1];
      li.appendChild(span);
    });
    return li;
  }

  function drawBoard(el, data) {
    const calls = document.getElementById("screen-calls");
    const waiting = document.getElementById("screen-waiting");
    const format = el.dataset.windowFormat || "{window}";
    calls.replaceChildren.apply(calls, data.calls.map(function (call, i) {
      const parts = [["screen__ticket", call.ticket], ["screen__window", format.replace("{window}", call.window)]];
      if (call.recall) parts.push(["screen__recall", el.dataset.recall || ""]);
      const li = item(parts);
      li.className = i === 0 ? "screen__call screen__call--new" : "screen__call";
      return li;
    }));
    waiting.replaceChildren.apply(waiting, data.waiting.map(function (line) {
      return item([["screen__group", line.group], ["screen__count", String(line.count)]]);
    }));
    el.dataset.lastEvent = data.ticket + ":" + data.kind;
  }

  function start() {
    document.querySelectorAll("[data-queue-stream]").forEach(function (el) {
      const source = new EventSource(el.dataset.queueStream);
      source.addEventListener("ticket", function (event) {
        const data = JSON.parse(event.data);
        if (el.hasAttribute("data-board")) {
          drawBoard(el, data);
        } else if (el.dataset.refresh && window.htmx) {
          window.htmx.ajax("GET", el.dataset.refresh, { target: el.dataset.target, swap: "outerHTML" });
        }
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
