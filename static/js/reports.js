// Export progress: polls the export's JSON status and shows the download link when the
// workbook is ready. Loaded as a file (CSP: no inline scripts); without JavaScript the page
// says to reload.
(function () {
  "use strict";

  function follow(box) {
    var url = box.dataset.exportStatus;
    function update(status) {
      box.querySelector("[data-field=state_label]").textContent = status.state_label;
      box.querySelector("[data-field=message]").textContent = status.message || "";
      var bar = box.querySelector("[data-field=progress]");
      bar.style.width = status.progress + "%";
      bar.textContent = status.progress + " %";
      bar.parentNode.setAttribute("aria-valuenow", status.progress);
      var link = box.querySelector("[data-field=download]");
      if (status.download_url) {
        link.href = status.download_url;
        link.hidden = false;
      }
      if (!status.done) { window.setTimeout(tick, 1000); }
    }
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(update)
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    tick();
  }

  document.querySelectorAll("[data-export-status]").forEach(follow);
})();
