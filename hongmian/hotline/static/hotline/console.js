/* The console's 拟派承办单位 follows the dispatch catalogue: whenever the catalogue slot
 * (#suggestion) shows a unit for the category and address typed, the picker takes it —
 * until the agent picks a unit by hand, which is then left alone. The unit travels with the
 * intake to the dispatch page, where it is preselected.
 *
 * The script runs again when the shell swaps #page (elder mode): the flag keeps one listener.
 */
(function () {
  "use strict";
  if (window.hongmianConsole) {
    return;
  }
  window.hongmianConsole = true;

  function picker() {
    return document.getElementById("id_lead_unit");
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail && event.detail.target;
    var select = picker();
    if (!slot || slot.id !== "suggestion" || !select || select.dataset.picked === "1") {
      return;
    }
    var found = slot.querySelector("[data-lead-unit]");
    var value = found ? found.getAttribute("data-lead-unit") : "";
    if (select.tomselect) {
      select.tomselect.setValue(value, true); // silent: not a pick by the agent
    } else {
      select.value = value;
    }
  });

  // A change event comes only from the agent (the silent fill above fires none).
  document.addEventListener("change", function (event) {
    if (event.target === picker()) {
      event.target.dataset.picked = "1";
    }
  });
})();
