// Live count for the segment builder: the form works without this (submit = update count).
(function () {
  var form = document.getElementById("segment-builder");
  if (!form) return;
  var out = document.getElementById("segment-count");
  var timer = null;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("csrfmiddlewaretoken");
    params.delete("name");
    fetch(form.dataset.countUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) out.textContent = data.count; });
  }
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 400); });
})();
