/* Searchable pickers: every <select data-combobox> becomes a combobox — type 城管 or 天河,
 * pick with the arrow keys and Enter (or the mouse). The unit pickers get the attribute from
 * hotline/forms.py (UnitChoiceField, UnitsChoiceField); any other select opts in by adding
 * it. Without JavaScript, or before the library has loaded, the plain <select> works.
 *
 * The library (tom-select, from npm: package.json → `make assets` → static/vendor/) is
 * loaded only on pages that have such a select. Selects that HTMX swaps in are enhanced
 * too (htmx:load). The base template loads this file; the script tag's data-vendor names
 * the folder of the vendor files.
 */
(function () {
  "use strict";
  if (window.hongmianCombobox) {
    return;
  }
  var script = document.currentScript;
  var vendor = (script && script.getAttribute("data-vendor")) || "/static/vendor/";
  // The picker's own words come translated from the script tag (data-placeholder,
  // data-no-results in base.html); Chinese if absent.
  function text(key, fallback) {
    return (script && script.dataset[key]) || fallback;
  }
  var loading = null;

  function load() {
    if (window.TomSelect) {
      return Promise.resolve();
    }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = vendor + "tom-select.min.css";
        document.head.appendChild(css);
        var js = document.createElement("script");
        js.src = vendor + "tom-select.min.js";
        js.onload = resolve;
        js.onerror = reject;
        document.head.appendChild(js);
      });
    }
    return loading;
  }

  function settings(select) {
    var multiple = select.multiple;
    var blank = select.querySelector('option[value=""]');
    return {
      // About 250 offices: show them all (the library stops at 50 by default).
      maxOptions: null,
      // Filter at once (the library waits 300 ms): an agent who types 猎德 and presses Enter
      // at speed must get 猎德, not what was active before. 250 names filter in no time.
      refreshThrottle: 0,
      // The blank choice ("请选择", "（不建议）") is not a search result, or Enter after
      // typing would pick it; a clear button (×, also Backspace) empties the picker instead.
      allowEmptyOption: false,
      plugins: multiple ? ["remove_button"] : blank ? ["clear_button"] : [],
      placeholder: select.getAttribute("data-placeholder") || text("placeholder", "输入名称筛选，如：城管、天河"),
      hidePlaceholder: false,
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = text("noResults", "没有匹配的单位");
          return div;
        },
      },
    };
  }

  function enhance(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var found = Array.prototype.slice.call(scope.querySelectorAll("select[data-combobox]"));
    if (scope.matches && scope.matches("select[data-combobox]")) {
      found.push(scope);
    }
    found = found.filter(function (select) {
      return !select.tomselect;
    });
    if (!found.length) {
      return;
    }
    load().then(
      function () {
        found.forEach(function (select) {
          if (!select.tomselect) {
            var combobox = new window.TomSelect(select, settings(select));
            // The library points the label at its own input and only hides the select
            // visually: assistive technology would meet two pickers of one name. The
            // select (not focusable: tabindex -1) leaves the accessibility tree; it keeps
            // the name for checkers all the same (axe: select-name).
            var label = combobox.control_input.getAttribute("aria-labelledby");
            if (label && !select.hasAttribute("aria-labelledby")) {
              select.setAttribute("aria-labelledby", label);
            }
            select.setAttribute("aria-hidden", "true");
          }
        });
      },
      function () {
        // The plain select stays: nothing is lost but the typing.
      }
    );
  }

  window.hongmianCombobox = { enhance: enhance };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhance(document);
    });
  } else {
    enhance(document);
  }
  document.addEventListener("htmx:load", function (event) {
    enhance(event.detail && event.detail.elt);
  });
})();
