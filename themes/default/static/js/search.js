/* The /search/ page: Pagefind's default UI, loaded from this site (no third-party requests).
   A ?q= in the address runs that search at once, so searches can be linked to. */
(function () {
  "use strict";
  var box = document.querySelector("[data-search]");
  if (!box || typeof window.PagefindUI !== "function") return;
  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
  }
  // Each result says how the post was reviewed (the status filter and "reviewed" meta of post.html),
  // above its excerpt, so readers can choose what to read.
  function withStatus(result) {
    var status = (result.filters && result.filters.status || [])[0];
    var by = result.meta && result.meta.reviewed;
    if (status) {
      var line = escapeHtml(status + (by ? " · " + by : ""));
      result.excerpt = '<span class="result-status">' + line + "</span>" + result.excerpt;
    }
    return result;
  }
  var ui = new window.PagefindUI({
    element: box,
    bundlePath: box.getAttribute("data-bundle"),
    baseUrl: box.getAttribute("data-base-url"),
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    processResult: withStatus
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
