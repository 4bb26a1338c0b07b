// A sending newsletter's counts without reloading the page; without JavaScript a <noscript>
// meta refresh does it. Kept out of the page: the Content-Security-Policy allows no inline script.
(function () {
  var box = document.getElementById("msg-progress");
  if (!box || !window.fetch) return;
  function tick() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (p) {
      box.querySelectorAll("[data-count]").forEach(function (el) {
        var key = el.dataset.count;
        el.textContent = key === "sent" ? p.sent : p.counts[key];
      });
      document.getElementById("msg-bar").value = p.percent;
      document.getElementById("msg-rate").textContent = p.rate === null ? "—" : p.rate;
      document.getElementById("msg-eta").textContent = p.eta_seconds === null ? "—" : p.eta_seconds + " s";
      var status = document.getElementById("msg-status");
      if (status.textContent !== p.status_label) { window.location.reload(); return; }
      setTimeout(tick, 2000);
    }).catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 2000);
})();
