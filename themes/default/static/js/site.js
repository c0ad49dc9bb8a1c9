/* Progressive enhancement only: every page is fully readable without JavaScript. */
(function () {
  "use strict";
  var root = document.documentElement;
  // Stylesheets for what the first screen does not show load as print media (partials in base.html);
  // this deferred script runs before the page is interactive and turns them on for the screen too.
  document.querySelectorAll("link[data-deferred-css]").forEach(function (link) { link.media = "all"; });
  var toggle = document.querySelector("[data-theme-toggle]");
  function isDark() {
    var t = root.dataset.theme;
    return t ? t === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  }
  function sync() {
    if (!toggle) return;
    toggle.setAttribute("aria-pressed", String(isDark()));
  }
  if (toggle) {
    toggle.hidden = false;
    sync();
    toggle.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("peerpress-theme", next); } catch (e) { /* private mode: not remembered */ }
      sync();
    });
  }
  // Copy buttons are hidden in the HTML: they appear only where copying can work. A button copies
  // the text of the element named by data-copy-target, or its own data-copy-text (a feed address).
  var buttons = document.querySelectorAll("[data-copy-target], [data-copy-text]");
  var status = null;
  if (navigator.clipboard && buttons.length) {
    buttons.forEach(function (b) { b.hidden = false; });
    // A polite live region, present before any copy, so screen readers announce "Copied".
    status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("data-copy-status", "");
    document.body.appendChild(status);
  }
  function copyText(button) {
    if (button.hasAttribute("data-copy-text")) return button.getAttribute("data-copy-text");
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    return target ? target.innerText.trim() : null;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target], [data-copy-text]");
    if (!button || !status) return;
    var text = copyText(button);
    if (text === null) return;
    navigator.clipboard.writeText(text).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      status.textContent = "";  // a change, even when the same button is pressed twice
      setTimeout(function () { status.textContent = button.getAttribute("data-copied") || "Copied to the clipboard"; }, 50);
      setTimeout(function () { button.textContent = label; }, 2000);
    }, function () {
      status.textContent = "Copying failed: select the text and copy it yourself";
    });
  });
})();
