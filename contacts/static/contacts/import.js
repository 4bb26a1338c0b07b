// Progress without reloading the page; without JavaScript a <noscript> meta refresh does it.
(function () {
  var box = document.getElementById("import-job");
  if (!box || box.dataset.finished === "1") return;
  function set(id, value) { var el = document.getElementById(id); if (el) el.textContent = value; }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        document.getElementById("import-bar").value = s.percent;
        set("import-percent", s.percent);
        set("import-created", s.created);
        set("import-updated", s.updated);
        set("import-skipped", s.skipped);
        set("import-errors", s.errors);
        if (s.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
