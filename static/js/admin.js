// toasoan back office: the editor's glue (Vietnamese labels, image uploads) and
// drag-and-drop on the media library. No inline scripts: loaded from 'self' under the CSP.
(function () {
  "use strict";

  // Trix's configuration must change before the editor element connects.
  document.addEventListener("trix-before-initialize", function () {
    if (!window.Trix) return;
    var cfg = Trix.config;
    // The page's <h1> is the title: the editor's heading button writes <h2>.
    cfg.blockAttributes.heading1.tagName = "h2";
    var lang = cfg.lang;
    lang.bold = "Đậm"; lang.italic = "Nghiêng"; lang.strike = "Gạch ngang"; lang.link = "Liên kết";
    lang.heading1 = "Tiêu đề mục"; lang.quote = "Trích dẫn"; lang.code = "Mã"; lang.bullets = "Danh sách";
    lang.numbers = "Danh sách số"; lang.outdent = "Giảm lề"; lang.indent = "Tăng lề";
    lang.attachFiles = "Chèn ảnh"; lang.undo = "Hoàn tác"; lang.redo = "Làm lại";
    lang.urlPlaceholder = "Nhập địa chỉ liên kết…"; lang.unlink = "Bỏ liên kết";
    lang.captionPlaceholder = "Thêm chú thích…"; lang.remove = "Xóa"; lang.url = "Địa chỉ";
  });

  var accepted = ["image/jpeg", "image/png", "image/webp", "image/gif"];

  // Refuse what the server would refuse anyway, with the same kind of message.
  document.addEventListener("trix-file-accept", function (e) {
    if (accepted.indexOf(e.file.type) < 0) {
      e.preventDefault();
      alert("Chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF.");
    }
  });

  // Upload a pasted, dropped or picked image; the server answers with the stored
  // image's URL, which the attachment then points at.
  document.addEventListener("trix-attachment-add", function (e) {
    var att = e.attachment;
    if (!att.file) return;
    var body = new FormData();
    body.append("file", att.file);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/admin/anh", true);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) att.setUploadProgress(ev.loaded / ev.total * 100);
    });
    xhr.addEventListener("load", function () {
      var res = null;
      try { res = JSON.parse(xhr.responseText); } catch (err) { res = null; }
      if (xhr.status === 200 && res && res.url) {
        att.setAttributes({ url: res.url, width: res.width, height: res.height });
      } else {
        att.remove();
        alert((res && res.error) || "Tải ảnh lên không thành công.");
      }
    });
    xhr.addEventListener("error", function () {
      att.remove();
      alert("Mất kết nối khi tải ảnh lên.");
    });
    xhr.send(body);
  });

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
