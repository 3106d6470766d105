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
