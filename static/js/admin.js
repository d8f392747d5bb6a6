// toasoan back office: drag-and-drop on the media library, failed htmx actions said
// aloud, confirmations. (The body editor's glue is editor.js.) No inline scripts: loaded from 'self' under the CSP.
(function () {
  "use strict";

  // Media library: dropping files on the zone puts them in the picker and submits.
  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.querySelector("[data-dropzone]");
    if (!zone) return;
    var input = zone.querySelector("input[type=file]");
    var form = zone.closest("form");
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      input.files = e.dataTransfer.files;
      form.requestSubmit();
    });
  });

  // An htmx action that failed (the comment was removed meanwhile, the session ended, the
  // server refused) would otherwise change nothing on screen: say so.
  document.addEventListener("htmx:responseError", function (e) {
    var status = e.detail && e.detail.xhr ? e.detail.xhr.status : 0;
    if (status === 401) return; // HX-Redirect takes the moderator to the login page
    alert("Thao tác không thành công (mã " + status + "). Hãy tải lại trang rồi thử lại.");
  });
  document.addEventListener("htmx:sendError", function () {
    alert("Mất kết nối tới máy chủ. Hãy kiểm tra mạng rồi thử lại.");
  });

  // Confirm before destructive buttons (data-confirm), without inline handlers.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !confirm(el.getAttribute("data-confirm"))) e.preventDefault();
  });
})();
