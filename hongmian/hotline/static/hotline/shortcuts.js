/* Alt+<key> shortcuts of the hotline screens.
 *
 * An element with data-shortcut="3" answers to Alt+3: a field is focused, a button or link
 * is activated. event.code is read rather than event.key, so the keys work whatever the
 * keyboard layout, and on a Mac, where Option+3 would type a character. The labels show
 * each key, and aria-keyshortcuts tells assistive technology.
 *
 * The shell swaps #page (elder mode) and htmx runs this script again then: the flag keeps
 * one listener, or a button would be pressed twice.
 */
(function () {
  "use strict";
  if (window.hongmianShortcuts) {
    return;
  }
  window.hongmianShortcuts = true;
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.repeat) {
      return;
    }
    var match = /^(?:Key|Digit)([A-Z0-9])$/.exec(event.code || "");
    if (!match) {
      return;
    }
    var target = document.querySelector('[data-shortcut="' + match[1].toLowerCase() + '"]');
    if (!target) {
      return;
    }
    event.preventDefault();
    if (target.matches("button, a[href], summary")) {
      target.click();
    } else {
      target.focus();
    }
  });
})();
