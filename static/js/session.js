// Warns before an idle session ends, and offers to keep it (SESSION_IDLE_MINUTES, SESSION_WARNING_MINUTES).
// The server decides: before warning, the script asks how long is left (a GET that does not count
// as activity), so another tab's activity postpones the warning here too. No inline script: CSP.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.sessionUrl;
  if (!url) { return; }
  var idle = parseInt(body.dataset.sessionIdle, 10);
  var warning = parseInt(body.dataset.sessionWarning, 10);
  var box = document.getElementById("session-warning");
  var countdown = box.querySelector("[data-session-countdown]");
  var timer = null;
  var endsAt = 0;

  function signIn() {
    window.location.assign(body.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
  }

  function schedule(secondsLeft) {
    window.clearTimeout(timer);
    box.classList.add("d-none");
    timer = window.setTimeout(check, Math.max(secondsLeft - warning, 1) * 1000);
  }

  function tick() {
    var left = Math.round((endsAt - Date.now()) / 1000);
    if (left <= 0) { check(); return; }
    countdown.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    timer = window.setTimeout(tick, 1000);
  }

  function handle(status) {
    if (!status.authenticated) { signIn(); return; }
    if (status.remaining > warning + 5) { schedule(status.remaining); return; }
    endsAt = Date.now() + status.remaining * 1000;
    box.classList.remove("d-none");
    tick();
  }

  function ask(method) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method === "POST") { options.headers["X-CSRFToken"] = body.dataset.csrf; }
    return fetch(url, options).then(function (r) { return r.json(); });
  }

  function check() {
    window.clearTimeout(timer);
    ask("GET").then(handle).catch(function () { timer = window.setTimeout(check, 30000); });
  }

  box.querySelector("[data-session-stay]").addEventListener("click", function () {
    ask("POST").then(handle).catch(check);
  });
  schedule(idle);
})();
