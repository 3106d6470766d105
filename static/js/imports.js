// Upload progress: polls the upload's JSON status while it is checked or applied in a worker,
// then reloads the page to show the errors or the preview. Loaded as a file (CSP: no inline
// scripts); without JavaScript the page says to reload.
(function () {
  "use strict";

  function follow(box) {
    var url = box.dataset.importStatus;
    function update(status) {
      box.querySelector("[data-field=state_label]").textContent = status.state_label;
      box.querySelector("[data-field=message]").textContent = status.message || "";
      var bar = box.querySelector("[data-field=progress]");
      if (bar) {
        bar.style.width = status.progress + "%";
        bar.textContent = status.progress + " %";
        bar.parentNode.setAttribute("aria-valuenow", status.progress);
      }
      if (status.done) { window.location.reload(); } else { window.setTimeout(tick, 1000); }
    }
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(update)
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    tick();
  }

  document.querySelectorAll("[data-import-status]").forEach(follow);
})();
