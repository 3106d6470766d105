// What-if preview progress: poll the JSON status and show the result page when done.
(function () {
  "use strict";
  var box = document.querySelector("[data-preview-status]");
  if (!box) { return; }
  var url = box.dataset.previewStatus;
  function update(status) {
    box.querySelector("[data-field=state_label]").textContent = status.state_label;
    box.querySelector("[data-field=message]").textContent = status.message || "";
    var bar = box.querySelector("[data-field=progress]");
    bar.style.width = status.progress + "%";
    bar.textContent = status.progress + " %";
    bar.parentNode.setAttribute("aria-valuenow", status.progress);
    if (status.done) { window.location.reload(); } else { window.setTimeout(tick, 1000); }
  }
  function tick() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(update)
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 500);
})();
