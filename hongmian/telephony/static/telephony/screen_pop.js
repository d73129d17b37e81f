// The console's screen pop: the agent's own pops arrive by Server-Sent Events; each fills
// the caller's number, carries the call into the intake, and loads the caller's history.
// The server ends each response after a bounded time; EventSource reconnects by itself
// with Last-Event-ID, so a pop posted in between is delivered on reconnect. Words shown come
// translated from the page (data-no-number on #screen-pop).
(function () {
  "use strict";
  const slot = document.getElementById("screen-pop");
  if (!slot || !window.EventSource) return;
  const phone = document.getElementById("id_caller_phone");
  const call = document.getElementById("telephony-call");
  const history = document.getElementById("caller-history");
  const source = new EventSource(slot.dataset.stream);
  source.addEventListener("pop", function (event) {
    const pop = JSON.parse(event.data);
    if (phone && !phone.value) phone.value = pop.caller || "";
    if (call) call.value = String(pop.call);
    document.getElementById("screen-pop-caller").textContent = pop.caller || slot.dataset.noNumber || "（号码未显示）";
    const at = pop.answered_at ? new Date(pop.answered_at) : new Date();
    document.getElementById("screen-pop-time").textContent =
      at.toLocaleTimeString(document.documentElement.lang || "zh-CN", { hour12: false });
    slot.hidden = false;
    slot.dataset.pop = String(pop.pop);
    if (history && pop.caller && window.htmx) {
      const url = slot.dataset.history + "?caller_phone=" + encodeURIComponent(pop.caller);
      window.htmx.ajax("GET", url, { target: "#caller-history", swap: "innerHTML" });
    }
  });
})();
