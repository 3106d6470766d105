// Small behaviours shared by every page. No inline scripts anywhere (CSP: script-src 'self').
(function () {
  "use strict";
  // Forms marked data-autosubmit submit as soon as one of their selects changes (year picker).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Buttons with data-confirm ask before submitting (approve a whole township, reopen…).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();

// Buttons marked data-print print the page (scorecards, dashboards, lists).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
