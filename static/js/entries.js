// "Add a row" for record lists: clone the formset's empty form and bump TOTAL_FORMS.
(function () {
  "use strict";
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.dataset.addRow;
      var card = button.closest("[data-formset]");
      var total = card.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
      var index = parseInt(total.value, 10);
      var html = card.querySelector("template").innerHTML.replace(/__prefix__/g, String(index));
      var body = card.querySelector("tbody");
      var empty = body.querySelector(".empty-row");
      if (empty) { empty.remove(); }
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = body.lastElementChild.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  });
})();

// Watched values (households, incomes): warn as soon as a value leaves the band around last
// year's value or the township's median, as the server will flag it on save.
(function () {
  "use strict";
  function outside(value, low, high) {
    return low !== undefined && high !== undefined && (value < parseFloat(low) || value > parseFloat(high));
  }
  document.querySelectorAll("input[data-watch]").forEach(function (input) {
    var note = document.createElement("div");
    note.className = "form-text text-warning-emphasis d-none";
    note.dataset.liveFlag = input.dataset.watch;
    input.insertAdjacentElement("afterend", note);
    function check() {
      var value = parseFloat(input.value);
      var d = input.dataset, messages = [];
      if (!isNaN(value)) {
        if (outside(value, d.watchLow, d.watchHigh)) { messages.push(d.watchPreviousMessage); }
        if (outside(value, d.watchMedianLow, d.watchMedianHigh)) { messages.push(d.watchMedianMessage); }
      }
      note.textContent = messages.join(" ");
      note.classList.toggle("d-none", messages.length === 0);
    }
    input.addEventListener("input", check);
    check();
  });
})();
