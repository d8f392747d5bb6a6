// toasoan — the site's own script: small enhancements only; every page works without it.
// Loaded from /static under script-src 'self'; no inline handlers anywhere (strict CSP).
(function () {
  "use strict";

  // CSS shows what only works with JS (the "loading the captcha" placeholder) under .js.
  document.documentElement.classList.add("js");

  // "In bài viết": with JS the link prints this page; without JS it opens the print view.
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("[data-print]");
    if (!link || typeof window.print !== "function") return;
    ev.preventDefault();
    window.print();
  });

  // Click-to-load video: an article's embed is a link to the video's page; a click swaps
  // in the provider's player. Nothing is fetched from YouTube or Facebook before that.
  // The address is rebuilt from a checked id, never taken from the page as it is.
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("a.embed-load");
    if (!link) return;
    var u;
    try { u = new URL(link.href); } catch (e) { return; }
    var v = u.searchParams.get("v") || "", src = "", title = "";
    if (u.hostname === "www.youtube.com" && /^[A-Za-z0-9_-]{11}$/.test(v)) {
      src = "https://www.youtube-nocookie.com/embed/" + v + "?autoplay=1";
      title = "Video YouTube";
    } else if (u.hostname === "www.facebook.com" && /^[0-9]{1,20}$/.test(v)) {
      src = "https://www.facebook.com/plugins/video.php?autoplay=true&href=" + encodeURIComponent("https://www.facebook.com/watch/?v=" + v);
      title = "Video Facebook";
    }
    if (!src) return;
    ev.preventDefault();
    var frame = document.createElement("iframe");
    frame.className = "embed-frame";
    frame.src = src;
    frame.title = title;
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    link.replaceWith(frame);
    frame.focus();
  });

  // Screen readers do not notice content htmx swaps in. Mark the target busy while the
  // request runs, then read out the new content's announcement: the text of its first
  // [data-announce] element, or its role=alert/status element, into the live region.
  var region = document.getElementById("thong-bao");
  // Only notices swapped in later take the focus; one in the loaded page stays put.
  document.querySelectorAll("[data-swap-focus]").forEach(function (el) { el.removeAttribute("data-swap-focus"); });
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var t = ev.detail && ev.detail.target;
    if (t) t.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterSettle", function (ev) {
    var t = ev.detail && ev.detail.target;
    if (!t) return;
    t.removeAttribute("aria-busy");
    if (!region) return;
    // A notice the server marked (the thank-you after a comment, which may arrive out of
    // band, away from the swapped form) is scrolled to and focused, and its own text read:
    // on a phone it would otherwise sit above the screen while the emptied form shows.
    var focus = document.querySelector("[data-swap-focus]");
    if (focus) {
      focus.removeAttribute("data-swap-focus");
      focus.scrollIntoView({ block: "center" });
      focus.focus({ preventScroll: true });
    }
    var root = ev.detail.elt && ev.detail.elt.isConnected ? ev.detail.elt : t;
    var msg = focus || root.querySelector("[data-announce], [role=alert], [role=status]");
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
