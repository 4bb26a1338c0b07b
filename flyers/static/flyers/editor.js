// Live preview for the flyer editor: re-renders the preview shortly after typing stops.
// Progressive enhancement only: without it the Preview button does the same.
(function () {
  var form = document.getElementById("flyer-form");
  var box = document.querySelector(".flyer-preview");
  if (!form || !box || !window.fetch || !window.FormData) return;
  var url = form.getAttribute("data-preview-url");
  var img = box.querySelector("img");
  var note = box.querySelector(".preview-note");
  var timer = null, seq = 0;
  if (!img) {
    img = document.createElement("img");
    img.alt = form.getAttribute("data-preview-alt") || "";
    box.appendChild(img);
  }
  if (!note) {
    note = document.createElement("p");
    note.className = "preview-note errors";
    note.hidden = true;
    box.appendChild(note);
  }
  function refresh() {
    var mine = ++seq;
    var data = new FormData(form);
    data.delete("preview");
    fetch(url, { method: "POST", body: data, credentials: "same-origin" }).then(function (response) {
      if (mine !== seq) return null;
      if (response.ok) {
        return response.blob().then(function (blob) {
          if (img.src.indexOf("blob:") === 0) URL.revokeObjectURL(img.src);
          img.src = URL.createObjectURL(blob);
          note.hidden = true;
          var hint = box.querySelector("p.small");
          if (hint) hint.hidden = true;
        });
      }
      return response.text().then(function (text) { note.textContent = text; note.hidden = !text; });
    }).catch(function () {});
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 700); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
