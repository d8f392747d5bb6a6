// toasoan — the article editor: Tiptap (static/vendor/tiptap-*.min.js, window.Tiptap) set up
// to write the HTML the server's article policy keeps, and nothing else: paragraphs, h2/h3,
// bold, italic, links, lists, blockquotes, tables, figures (an image from the library with a
// required alt text, an optional caption and credit), galleries and click-to-load video
// embeds. One picker dialog chooses library images for figures, galleries and the cover.
// No inline scripts or styles: loaded from 'self' under the admin CSP.
(function () {
  "use strict";

  var T = window.Tiptap;
  // The back office's URLs come from the page (views/admin_paths.go is their one source).
  var mediaURL = document.body.dataset.mediaUrl;
  var pickerURL = document.body.dataset.mediaPickerUrl;
  var accepted = ["image/jpeg", "image/png", "image/webp", "image/gif"];

  // ---- Video addresses: only YouTube and Facebook, reduced to a provider and an id. The
  // server checks the same shapes (internal/sanitize) before anything is stored.
  var ytID = /^[A-Za-z0-9_-]{11}$/;
  var fbID = /^[0-9]{1,20}$/;

  function parseVideo(raw) {
    var u;
    try { u = new URL(raw.trim()); } catch (e) { return null; }
    if (u.protocol !== "https:" && u.protocol !== "http:") return null;
    var host = u.hostname.replace(/^(www\.|m\.)/, "");
    var parts = u.pathname.split("/").filter(Boolean);
    var id = "";
    if (host === "youtu.be") id = parts[0] || "";
    else if (host === "youtube.com" || host === "youtube-nocookie.com") {
      if (parts[0] === "watch") id = u.searchParams.get("v") || "";
      else if (["embed", "shorts", "live", "v"].indexOf(parts[0]) >= 0) id = parts[1] || "";
    } else if (host === "facebook.com") {
      var v = u.searchParams.get("v");
      if (v) id = v;
      else { var i = parts.indexOf("videos"); if (i >= 0) id = parts[parts.length - 1] || ""; }
      return fbID.test(id) ? { provider: "facebook", id: id } : null;
    }
    return ytID.test(id) ? { provider: "youtube", id: id } : null;
  }


  // ---- Uploads: the same endpoint as the media library, answered in JSON.
  function upload(file) {
    if (accepted.indexOf(file.type) < 0) return Promise.reject(new Error("Chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF."));
    var body = new FormData();
    body.append("file", file);
    return fetch(mediaURL, { method: "POST", body: body, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          if (!r.ok || !j.id) throw new Error(j.error || "Tải ảnh lên không thành công.");
          return j;
        });
      });
  }

  // An image as the dialogs and nodes know it.
  function imageFromReply(j) {
    return { id: j.id, src: j.url, width: j.width || null, height: j.height || null, alt: j.alt || "",
      caption: j.caption || "", credit: j.credit || "", name: j.name || "" };
  }

  // ---- The picker: one dialog, filled from the media picker URL (search, pages, upload).
  var picker = document.getElementById("media-picker");
  var pickerDone = null;

  function loadPicker(url) {
    var list = picker.querySelector("[data-picker-results]");
    list.setAttribute("aria-busy", "true");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error("status " + r.status); return r.text(); })
      .then(function (html) {
        list.innerHTML = html; // our own server's fragment, rendered by html/template
        list.removeAttribute("aria-busy");
      })
      .catch(function () {
        list.removeAttribute("aria-busy");
        list.textContent = "Không tải được thư viện ảnh. Hãy thử lại.";
      });
  }

  function openPicker(done) {
    if (!picker) return;
    pickerDone = done;
    picker.querySelector("[data-picker-error]").textContent = "";
    picker.showModal();
    loadPicker(pickerURL);
    picker.querySelector("input[type=search]").focus();
  }

  function choose(img) {
    var done = pickerDone;
    pickerDone = null;
    picker.close();
    if (done) done(img);
  }

  if (picker) {
    picker.addEventListener("submit", function (e) {
      var form = e.target.closest("[data-picker-search]");
      if (!form) return;
      e.preventDefault();
      loadPicker(pickerURL + "?" + new URLSearchParams(new FormData(form)).toString());
    });
    picker.addEventListener("click", function (e) {
      var pick = e.target.closest("[data-pick]");
      if (pick) {
        var d = pick.dataset;
        choose({ id: +d.id, src: d.src, width: +d.width || null, height: +d.height || null, alt: d.alt || "",
          caption: d.caption || "", credit: d.credit || "", name: d.name || "" });
        return;
      }
      var page = e.target.closest("[data-picker-page]");
      if (page) { e.preventDefault(); loadPicker(page.getAttribute("href")); return; }
      if (e.target.closest("[data-close]")) { pickerDone = null; picker.close(); }
    });
    picker.querySelector("[data-picker-upload]").addEventListener("change", function (e) {
      var f = e.target.files && e.target.files[0];
      if (!f) return;
      var err = picker.querySelector("[data-picker-error]");
      err.textContent = "Đang tải ảnh lên…";
      upload(f).then(function (j) { err.textContent = ""; e.target.value = ""; choose(imageFromReply(j)); },
        function (x) { err.textContent = x.message; e.target.value = ""; });
    });
  }

  // ---- The cover: a hidden id set by the picker, a preview, a "remove" button.
  var coverBox = document.querySelector("[data-cover]");
  if (coverBox && picker) {
    var coverID = coverBox.querySelector("input[name=cover_media_id]");
    var coverImg = coverBox.querySelector("img");
    var coverAlt = document.getElementById("a-alt");
    coverBox.querySelector("[data-cover-pick]").addEventListener("click", function () {
      openPicker(function (img) {
        coverID.value = img.id;
        coverImg.src = img.src;
        coverImg.hidden = false;
        coverBox.querySelector("[data-cover-remove]").hidden = false;
        if (coverAlt && !coverAlt.value) coverAlt.value = img.alt;
      });
    });
    coverBox.querySelector("[data-cover-remove]").addEventListener("click", function (e) {
      coverID.value = "";
      coverImg.hidden = true;
      e.target.hidden = true;
    });
  }

  var root = document.querySelector("[data-editor]");
  if (!T || !root) return;
  var source = root.querySelector("textarea[name=body]");
  var mount = root.querySelector("[data-editor-area]");
  var toolbar = root.querySelector("[role=toolbar]");

  // ---- Nodes of our own. Each is an atom: edited through its dialog, so the stored
  // markup is always the exact shape the server's policy expects.
  function text(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }

  function captionParts(fc) {
    if (!fc) return { caption: "", credit: "" };
    var small = fc.querySelector("small");
    var credit = text(small);
    var clone = fc.cloneNode(true);
    var s = clone.querySelector("small");
    if (s) s.remove();
    return { caption: text(clone), credit: credit };
  }

  function num(v) { var n = parseInt(v, 10); return n > 0 ? n : null; }

  function imgAttrs(img) {
    return { src: img.getAttribute("src"), alt: img.getAttribute("alt") || "", width: num(img.getAttribute("width")), height: num(img.getAttribute("height")) };
  }

  function imgSpec(i) {
    var a = { src: i.src, alt: i.alt || "" };
    if (i.width) a.width = String(i.width);
    if (i.height) a.height = String(i.height);
    return ["img", a];
  }

  function captionSpec(caption, credit) {
    if (!caption && !credit) return null;
    var fc = ["figcaption", {}];
    if (caption) fc.push(caption);
    if (caption && credit) fc.push(" ");
    if (credit) fc.push(["small", {}, credit]);
    return fc;
  }

  function attr(name, def) { return { default: def, rendered: false }; }

  var Figure = T.Node.create({
    name: "figure", group: "block", atom: true, draggable: true, selectable: true,
    addAttributes: function () {
      return { src: attr("src", null), alt: attr("alt", ""), width: attr("width", null), height: attr("height", null),
        caption: attr("caption", ""), credit: attr("credit", "") };
    },
    parseHTML: function () {
      return [{ tag: "figure", getAttrs: function (el) {
        if (el.classList.contains("gallery") || el.classList.contains("embed")) return false;
        var img = el.querySelector("img");
        if (!img) return false;
        var a = imgAttrs(img), c = captionParts(el.querySelector("figcaption"));
        a.caption = c.caption; a.credit = c.credit;
        return a;
      } }, { tag: "img[src]", getAttrs: imgAttrs }];
    },
    renderHTML: function (p) {
      var a = p.node.attrs, out = ["figure", {}, imgSpec(a)], c = captionSpec(a.caption, a.credit);
      if (c) out.push(c);
      return out;
    }
  });

  var Gallery = T.Node.create({
    name: "gallery", group: "block", atom: true, draggable: true, selectable: true,
    addAttributes: function () { return { images: attr("images", []), caption: attr("caption", "") }; },
    parseHTML: function () {
      return [{ tag: "figure.gallery", priority: 60, getAttrs: function (el) {
        var imgs = Array.prototype.map.call(el.querySelectorAll("img"), imgAttrs);
        return imgs.length ? { images: imgs, caption: captionParts(el.querySelector("figcaption")).caption } : false;
      } }];
    },
    renderHTML: function (p) {
      var a = p.node.attrs, list = ["ul", {}];
      a.images.forEach(function (i) { list.push(["li", {}, imgSpec(i)]); });
      var out = ["figure", { class: "gallery" }, list], c = captionSpec(a.caption, "");
      if (c) out.push(c);
      return out;
    }
  });

  var Embed = T.Node.create({
    name: "embed", group: "block", atom: true, draggable: true, selectable: true,
    addAttributes: function () { return { provider: attr("provider", "youtube"), videoId: attr("videoId", ""), caption: attr("caption", "") }; },
    parseHTML: function () {
      return [{ tag: "figure.embed", priority: 60, getAttrs: function (el) {
        var p = el.getAttribute("data-provider"), id = el.getAttribute("data-id") || "";
        if (!(p === "youtube" && ytID.test(id)) && !(p === "facebook" && fbID.test(id))) return false;
        return { provider: p, videoId: id, caption: captionParts(el.querySelector("figcaption")).caption };
      } }];
    },
    renderHTML: function (p) {
      var a = p.node.attrs, out = ["figure", { class: "embed", "data-provider": a.provider, "data-id": a.videoId }];
      var c = captionSpec(a.caption, "");
      if (c) out.push(c);
      return out;
    }
  });

  // Tables: structure only. Tiptap's table writes column widths as style attributes (refused
  // by our CSP and by the server's policy); ours writes none.
  function cellAttrs() {
    return { colspan: { default: 1 }, rowspan: { default: 1 }, colwidth: { default: null, rendered: false } };
  }
  var Table = T.Table.extend({
    renderHTML: function () { return ["table", {}, ["tbody", 0]]; }
  });
  var TableCell = T.TableCell.extend({ addAttributes: cellAttrs });
  var TableHeader = T.TableHeader.extend({ addAttributes: cellAttrs });

  // ---- The dialogs: figure, gallery, video, link. Each is a <dialog> in the page.
  function dialog(id) { return document.getElementById(id); }
  function field(d, name) { return d.querySelector("[name=" + name + "]"); }

  function showError(d, msg) {
    var el = d.querySelector("[data-dialog-error]");
    el.textContent = msg;
  }

  var editor;
  var lastSelection = null; // where a pasted picture goes once its dialog is done

  function openFigureDialog(existing, pos) {
    var d = dialog("dlg-figure");
    var chosen = existing ? { src: existing.src, width: existing.width, height: existing.height } : null;
    var preview = d.querySelector("[data-preview]");
    function show() {
      preview.hidden = !chosen;
      if (chosen) preview.src = chosen.src;
      d.querySelector("[data-chosen-none]").hidden = !!chosen;
    }
    field(d, "alt").value = existing ? existing.alt : "";
    field(d, "caption").value = existing ? existing.caption : "";
    field(d, "credit").value = existing ? existing.credit : "";
    showError(d, "");
    show();
    d.onpick = function (img) {
      chosen = img;
      if (!field(d, "alt").value) field(d, "alt").value = img.alt;
      if (!field(d, "caption").value) field(d, "caption").value = img.caption;
      if (!field(d, "credit").value) field(d, "credit").value = img.credit;
      show();
    };
    d.onsubmitted = function () {
      var alt = field(d, "alt").value.trim();
      if (!chosen) { showError(d, "Hãy chọn hoặc tải lên một ảnh."); return false; }
      if (!alt) { showError(d, "Hãy nhập mô tả ảnh (cho người đọc bằng máy đọc màn hình)."); field(d, "alt").focus(); return false; }
      var attrs = { src: chosen.src, width: chosen.width, height: chosen.height, alt: alt,
        caption: field(d, "caption").value.trim(), credit: field(d, "credit").value.trim() };
      insertOrReplace("figure", attrs, pos);
      return true;
    };
    d.showModal();
    (chosen ? field(d, "alt") : d.querySelector("[data-pick-open]")).focus();
  }

  function openGalleryDialog(existing, pos) {
    var d = dialog("dlg-gallery");
    var images = existing ? existing.images.map(function (i) { return Object.assign({}, i); }) : [];
    var list = d.querySelector("[data-gallery-list]");
    function render() {
      list.textContent = "";
      images.forEach(function (img, n) {
        var li = document.createElement("li");
        var im = document.createElement("img");
        im.src = img.src; im.alt = "";
        var label = document.createElement("label");
        label.textContent = "Mô tả ảnh " + (n + 1) + " (bắt buộc)";
        var input = document.createElement("input");
        input.id = "g-alt-" + n; label.htmlFor = input.id;
        input.value = img.alt; input.maxLength = 300; input.required = true;
        input.addEventListener("input", function () { img.alt = input.value; });
        var rm = document.createElement("button");
        rm.type = "button"; rm.className = "button"; rm.textContent = "Bỏ ảnh " + (n + 1);
        rm.addEventListener("click", function () { images.splice(n, 1); render(); });
        li.append(im, label, input, rm);
        list.append(li);
      });
      d.querySelector("[data-gallery-count]").textContent = images.length + " ảnh";
    }
    field(d, "caption").value = existing ? existing.caption : "";
    showError(d, "");
    render();
    d.onpick = function (img) { images.push({ src: img.src, width: img.width, height: img.height, alt: img.alt }); render(); };
    d.onsubmitted = function () {
      if (images.length < 2) { showError(d, "Bộ ảnh cần ít nhất 2 ảnh."); return false; }
      for (var i = 0; i < images.length; i++) {
        images[i].alt = (images[i].alt || "").trim();
        if (!images[i].alt) { showError(d, "Hãy nhập mô tả cho ảnh " + (i + 1) + "."); document.getElementById("g-alt-" + i).focus(); return false; }
      }
      insertOrReplace("gallery", { images: images, caption: field(d, "caption").value.trim() }, pos);
      return true;
    };
    d.showModal();
    d.querySelector("[data-pick-open]").focus();
  }

  function openEmbedDialog(existing, pos) {
    var d = dialog("dlg-embed");
    field(d, "url").value = existing ? (existing.provider === "facebook" ? "https://www.facebook.com/watch/?v=" : "https://www.youtube.com/watch?v=") + existing.videoId : "";
    field(d, "caption").value = existing ? existing.caption : "";
    showError(d, "");
    d.onsubmitted = function () {
      var v = parseVideo(field(d, "url").value);
      if (!v) { showError(d, "Chỉ nhận địa chỉ video YouTube hoặc Facebook (vd: https://www.youtube.com/watch?v=…)."); field(d, "url").focus(); return false; }
      insertOrReplace("embed", { provider: v.provider, videoId: v.id, caption: field(d, "caption").value.trim() }, pos);
      return true;
    };
    d.showModal();
    field(d, "url").focus();
  }

  function openLinkDialog() {
    var d = dialog("dlg-link");
    field(d, "href").value = editor.getAttributes("link").href || "";
    showError(d, "");
    d.onsubmitted = function () {
      var href = field(d, "href").value.trim();
      var chain = editor.chain().focus().extendMarkRange("link");
      if (!href) { chain.unsetLink().run(); return true; }
      if (!/^(https?:\/\/|mailto:|\/)/i.test(href)) {
        if (/^[^\s:/]+\.[^\s:/]+/.test(href)) href = "https://" + href;
        else { showError(d, "Địa chỉ phải bắt đầu bằng https://, http://, mailto: hoặc /."); return false; }
      }
      chain.setLink({ href: href }).run();
      return true;
    };
    d.showModal();
    field(d, "href").focus();
  }

  function insertOrReplace(type, attrs, pos) {
    var chain = editor.chain().focus();
    if (typeof pos === "number") {
      chain.command(function (p) { p.tr.setNodeMarkup(pos, undefined, attrs); return true; }).run();
    } else {
      if (lastSelection !== null) chain.setTextSelection(lastSelection);
      chain.insertContent({ type: type, attrs: attrs }).run();
      lastSelection = null;
      // Put the cursor after the new block (in a paragraph, made if none follows), so the
      // next thing typed or inserted goes after it rather than replacing it.
      var sel = editor.state.selection;
      if (sel instanceof T.NodeSelection) {
        var after = sel.to, next = editor.state.doc.resolve(after).nodeAfter;
        if (next && next.isTextblock) editor.commands.setTextSelection(after + 1);
        else editor.chain().insertContentAt(after, { type: "paragraph" }).setTextSelection(after + 1).run();
      }
    }
  }

  // Every dialog: Escape/Hủy close it, its submit runs onsubmitted, the picker button
  // opens the picker for it.
  ["dlg-figure", "dlg-gallery", "dlg-embed", "dlg-link"].forEach(function (id) {
    var d = dialog(id);
    if (!d) return;
    d.querySelector("form").addEventListener("submit", function (e) {
      e.preventDefault();
      if (d.onsubmitted && d.onsubmitted()) d.close();
    });
    d.addEventListener("click", function (e) {
      if (e.target.closest("[data-close]")) d.close();
      if (e.target.closest("[data-pick-open]")) openPicker(function (img) { if (d.onpick) d.onpick(img); });
    });
    var up = d.querySelector("[data-upload]");
    if (up) up.addEventListener("change", function () {
      var f = up.files && up.files[0];
      if (!f) return;
      showError(d, "Đang tải ảnh lên…");
      upload(f).then(function (j) { showError(d, ""); up.value = ""; d.onpick(imageFromReply(j)); },
        function (x) { showError(d, x.message); up.value = ""; });
    });
    d.addEventListener("close", function () { if (editor) editor.commands.focus(); });
  });

  // A selected figure, gallery or video is edited through its dialog (Enter, double click,
  // or the toolbar button).
  function editSelected() {
    var sel = editor.state.selection;
    if (!(sel instanceof T.NodeSelection)) return false;
    var n = sel.node, pos = sel.from;
    if (n.type.name === "figure") { openFigureDialog(n.attrs, pos); return true; }
    if (n.type.name === "gallery") { openGalleryDialog(n.attrs, pos); return true; }
    if (n.type.name === "embed") { openEmbedDialog(n.attrs, pos); return true; }
    return false;
  }

  var EditKeys = T.Extension.create({
    name: "editKeys",
    addKeyboardShortcuts: function () { return { Enter: function () { return editSelected(); } }; }
  });

  // Word and Google Docs put styles, classes and their own wrappers on what they copy;
  // the editor's schema keeps only what it knows, and this first drops what would come
  // through as text (Word's <style> rules, comments, Office tags) and Google Docs' bold
  // wrapper (<b style="font-weight:normal" id="docs-internal-guid-…">, not bold at all).
  // DOMParser builds an inert document: nothing in it runs or loads.
  function cleanPastedHTML(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    doc.querySelectorAll("style, script, meta, link, title, xml, template").forEach(function (el) { el.remove(); });
    var walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_COMMENT), comments = [];
    while (walker.nextNode()) comments.push(walker.currentNode);
    comments.forEach(function (c) { c.remove(); });
    function unwrap(el) { el.replaceWith.apply(el, Array.prototype.slice.call(el.childNodes)); }
    function wrapChildren(el, tag) {
      var w = doc.createElement(tag);
      while (el.firstChild) w.appendChild(el.firstChild);
      el.appendChild(w);
    }
    // Bold and italic given as styles (Docs writes <span style="font-weight:700">) become
    // tags, read from the attribute's text: under our CSP the browser does not apply style
    // attributes, so the editor's own style rules would see nothing.
    doc.body.querySelectorAll("*").forEach(function (el) {
      if (el.tagName.indexOf(":") >= 0) { unwrap(el); return; }
      var st = (el.getAttribute("style") || "").toLowerCase();
      var normal = /font-weight\s*:\s*(normal|[1-4]00)\b/.test(st);
      if (el.tagName === "B" && (normal || /^docs-internal-guid/.test(el.id))) { unwrap(el); return; }
      if (!/^(B|STRONG|I|EM)$/.test(el.tagName)) {
        if (/font-weight\s*:\s*(bold|bolder|[5-9]00)\b/.test(st)) wrapChildren(el, "strong");
        if (/font-style\s*:\s*italic\b/.test(st)) wrapChildren(el, "em");
      }
      el.removeAttribute("style");
    });
    return doc.body.innerHTML;
  }

  // Pasted or dropped picture files are uploaded, then the figure dialog asks for the alt text.
  function takeFiles(files) {
    var imgs = Array.prototype.filter.call(files || [], function (f) { return f.type.indexOf("image/") === 0; });
    if (!imgs.length) return false;
    lastSelection = editor.state.selection.from;
    upload(imgs[0]).then(function (j) {
      openFigureDialog(null);
      dialog("dlg-figure").onpick(imageFromReply(j));
      field(dialog("dlg-figure"), "alt").focus();
    }, function (x) { window.alert(x.message); });
    return true;
  }

  source.hidden = true;
  toolbar.hidden = false;
  editor = new T.Editor({
    element: mount,
    injectCSS: false, // its stylesheet is in admin.css: no style element under our CSP
    content: source.value,
    extensions: [
      T.StarterKit.configure({
        heading: { levels: [2, 3] },
        code: false, codeBlock: false, strike: false, underline: false, horizontalRule: false,
        link: { openOnClick: false, autolink: true, defaultProtocol: "https", protocols: ["http", "https", "mailto"],
          HTMLAttributes: { rel: null, target: null, class: null } }
      }),
      Table.configure({ resizable: false, View: null }), T.TableRow, TableCell, TableHeader,
      Figure, Gallery, Embed, EditKeys
    ],
    editorProps: {
      attributes: { class: "article-body editor-area", role: "textbox", "aria-multiline": "true",
        "aria-labelledby": root.getAttribute("data-label"), spellcheck: "true", lang: "vi" },
      handlePaste: function (view, e) { return takeFiles(e.clipboardData && e.clipboardData.files); },
      handleDrop: function (view, e) { return takeFiles(e.dataTransfer && e.dataTransfer.files); },
      handleDoubleClickOn: function (view, pos, node) {
        if (["figure", "gallery", "embed"].indexOf(node.type.name) < 0) return false;
        editor.commands.setNodeSelection(pos);
        return editSelected();
      },
      // Word and Google Docs put styles, classes and their own wrappers on what they copy;
      // the schema keeps only what it knows, and this drops their comments and metadata.
      transformPastedHTML: cleanPastedHTML
    },
    onUpdate: function () { source.value = editor.getHTML(); },
    onSelectionUpdate: function () { refresh(); },
    onTransaction: function () { refresh(); }
  });
  source.value = editor.getHTML();
  root.closest("form").addEventListener("submit", function () { source.value = editor.getHTML(); });

  // ---- The toolbar: every button names its action in Vietnamese; toggles say whether
  // they are on (aria-pressed); table buttons show only inside a table.
  var actions = {
    paragraph: function (c) { return c.setParagraph(); },
    h2: function (c) { return c.toggleHeading({ level: 2 }); },
    h3: function (c) { return c.toggleHeading({ level: 3 }); },
    bold: function (c) { return c.toggleBold(); },
    italic: function (c) { return c.toggleItalic(); },
    bullets: function (c) { return c.toggleBulletList(); },
    numbers: function (c) { return c.toggleOrderedList(); },
    quote: function (c) { return c.toggleBlockquote(); },
    table: function (c) { return c.insertTable({ rows: 3, cols: 3, withHeaderRow: true }); },
    rowAfter: function (c) { return c.addRowAfter(); },
    colAfter: function (c) { return c.addColumnAfter(); },
    rowDelete: function (c) { return c.deleteRow(); },
    colDelete: function (c) { return c.deleteColumn(); },
    tableDelete: function (c) { return c.deleteTable(); },
    undo: function (c) { return c.undo(); },
    redo: function (c) { return c.redo(); }
  };
  var pressed = {
    paragraph: function () { return editor.isActive("paragraph") && !editor.isActive("heading"); },
    h2: function () { return editor.isActive("heading", { level: 2 }); },
    h3: function () { return editor.isActive("heading", { level: 3 }); },
    bold: function () { return editor.isActive("bold"); },
    italic: function () { return editor.isActive("italic"); },
    bullets: function () { return editor.isActive("bulletList"); },
    numbers: function () { return editor.isActive("orderedList"); },
    quote: function () { return editor.isActive("blockquote"); },
    link: function () { return editor.isActive("link"); }
  };

  toolbar.addEventListener("mousedown", function (e) {
    if (e.target.closest("button")) e.preventDefault(); // keep the editor's selection
  });
  toolbar.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-cmd]");
    if (!b) return;
    var cmd = b.getAttribute("data-cmd");
    if (cmd === "link") return openLinkDialog();
    if (cmd === "figure" || cmd === "gallery" || cmd === "embed") {
      var sel = editor.state.selection;
      if (sel instanceof T.NodeSelection && sel.node.type.name === cmd) return editSelected();
      if (cmd === "figure") return openFigureDialog(null);
      if (cmd === "gallery") return openGalleryDialog(null);
      return openEmbedDialog(null);
    }
    if (actions[cmd]) actions[cmd](editor.chain().focus()).run();
  });

  function refresh() {
    var inTable = editor.isActive("table");
    toolbar.querySelectorAll("button[data-cmd]").forEach(function (b) {
      var cmd = b.getAttribute("data-cmd");
      if (pressed[cmd]) b.setAttribute("aria-pressed", pressed[cmd]() ? "true" : "false");
      if (b.hasAttribute("data-table-only")) b.hidden = !inTable;
    });
  }
  refresh();
})();
