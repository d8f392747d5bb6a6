// toasoan — the site's own script: small enhancements only; every page works without it.
// Loaded from /static under script-src 'self'; no inline handlers anywhere (strict CSP).
(function () {
  "use strict";

  // "In bài viết": with JS the link prints this page; without JS it opens the print view.
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("[data-print]");
    if (!link || typeof window.print !== "function") return;
    ev.preventDefault();
    window.print();
  });

  // Screen readers do not notice content htmx swaps in. Mark the target busy while the
  // request runs, then read out the new content's announcement: the text of its first
  // [data-announce] element, or its role=alert/status element, into the live region.
  var region = document.getElementById("thong-bao");
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var t = ev.detail && ev.detail.target;
    if (t) t.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterSettle", function (ev) {
    var t = ev.detail && ev.detail.target;
    if (!t) return;
    t.removeAttribute("aria-busy");
    if (!region) return;
    var root = ev.detail.elt && ev.detail.elt.isConnected ? ev.detail.elt : t;
    var msg = root.querySelector("[data-announce], [role=alert], [role=status]");
    var text = msg ? msg.textContent.replace(/\s+/g, " ").trim() : "Nội dung đã được cập nhật.";
    region.textContent = "";
    // A fresh text node after a tick makes screen readers announce repeated messages too.
    window.setTimeout(function () { region.textContent = text; }, 50);
  });
  document.addEventListener("htmx:responseError", function (ev) {
    var t = ev.detail && ev.detail.target;
    if (t) t.removeAttribute("aria-busy");
    if (region) region.textContent = "Không gửi được yêu cầu. Vui lòng thử lại.";
  });
})();
