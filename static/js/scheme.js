// The scheme editor's preview: type a sample value on a row and see the points the rule, as
// edited and not yet saved, gives it — computed by the server with the roll-up's own SQL.
(function () {
  "use strict";
  var table = document.querySelector("[data-preview-url]");
  if (!table) { return; }
  var url = table.dataset.previewUrl;
  table.querySelectorAll("tr[data-row]").forEach(function (row) {
    var sample = row.querySelector("[data-sample]");
    var out = row.querySelector("[data-sample-points]");
    if (!sample || !out) { return; }
    var timer = null;
    function ask() {
      if (sample.value === "") { out.textContent = ""; return; }
      var params = new URLSearchParams({prefix: row.dataset.row, indicator: row.dataset.indicator,
                                        sample: sample.value});
      row.querySelectorAll("input[name^='" + row.dataset.row + "-'], select[name^='" + row.dataset.row + "-']")
        .forEach(function (input) {
          if (input.type === "checkbox") { if (input.checked) { params.append(input.name, "on"); } }
          else { params.append(input.name, input.value); }
        });
      fetch(url + "?" + params.toString(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.json(); })
        .then(function (data) {
          out.textContent = data.error ? data.error : "→ " + data.points;
          out.classList.toggle("text-danger", Boolean(data.error));
        });
    }
    function later() { clearTimeout(timer); timer = setTimeout(ask, 250); }
    sample.addEventListener("input", later);
    sample.addEventListener("change", later);
    row.addEventListener("input", function (event) { if (event.target !== sample) { later(); } });
  });
})();
