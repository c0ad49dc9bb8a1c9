/* The /search/ page: Pagefind's default UI, loaded from this site (no third-party requests).
   A ?q= in the address runs that search at once, so searches can be linked to. */
(function () {
  "use strict";
  var box = document.querySelector("[data-search]");
  if (!box || typeof window.PagefindUI !== "function") return;
  var ui = new window.PagefindUI({
    element: box,
    bundlePath: box.getAttribute("data-bundle"),
    baseUrl: box.getAttribute("data-base-url"),
    showSubResults: true,
    showImages: false,
    resetStyles: false
  });
  var input = box.querySelector("input");
  // Pagefind labels its field with a title only; screen readers need a proper name.
  if (input && !input.hasAttribute("aria-label")) input.setAttribute("aria-label", "Search the posts");
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
    if (input && !input.value) input.value = query;  // show the reader what was searched for
  }
})();
