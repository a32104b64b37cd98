// Integrations > Microsoft Entra ID > Test Connection: queue the test, poll its status, show each check as it
// arrives (no reload), then take the admin to the first failed check.
(function () {
  var section = document.getElementById("connection-test");
  var form = document.getElementById("test-form");
  if (!section || !form) { return; }
  var button = document.getElementById("test-button");
  var state = document.getElementById("test-state");
  var list = document.getElementById("test-results");
  var badge = document.getElementById("connection-status");
  var statusUrl = section.dataset.statusUrl;
  var ICONS = { ok: "✓", fail: "✗", warn: "!", skip: "–" };
  var POLL_MS = 1000;
  var testedBefore = null;

  var zone = section.dataset.timeZone || "UTC";

  // The organization's local time with its zone, as the server-rendered times on the page ("09:02:03 CET").
  function time(iso) {
    if (!iso) { return ""; }
    var when = new Date(iso);
    try {
      return new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit",
                                                hour12: false, timeZoneName: "short" }).format(when);
    } catch (unknownZone) {
      return when.toISOString().slice(11, 19) + " UTC";
    }
  }

  function renderChecks(checks) {
    list.replaceChildren();
    (checks || []).forEach(function (check) {
      var item = document.createElement("li");
      item.className = "check-" + check.status;
      item.dataset.check = check.key;
      if (check.status === "fail") { item.tabIndex = -1; }
      var icon = document.createElement("span");
      icon.className = "check-icon"; icon.setAttribute("aria-hidden", "true"); icon.textContent = ICONS[check.status] || "–";
      var body = document.createElement("div");
      var label = document.createElement("strong"); label.textContent = check.label;
      var hidden = document.createElement("span"); hidden.className = "visually-hidden"; hidden.textContent = "(" + check.status + ")";
      body.append(label, " ", hidden, document.createElement("br"), check.message);
      if (check.fix) {
        var fix = document.createElement("span"); fix.className = "help"; fix.textContent = "Fix: " + check.fix;
        body.append(document.createElement("br"), fix);
      }
      item.append(icon, body);
      list.append(item);
    });
  }

  function setBusy(busy) {
    button.disabled = busy;
    button.textContent = busy ? "Testing…" : "Test Connection";
    section.classList.toggle("is-running", busy);
  }

  function render(data) {
    var next = document.getElementById("next-step");
    if (next && data.running) { next.hidden = true; }
    if (data.badge && badge) {
      badge.textContent = data.badge.text;
      badge.className = "badge badge-" + data.badge.level;
    }
    var navBadge = document.querySelector(".sidebar a[aria-current=page] .badge");
    if (data.badge && navBadge && data.badge.short) {
      navBadge.textContent = data.badge.short;
      navBadge.className = "badge badge-" + data.badge.level;
    }
    renderChecks(data.checks);
    if (data.running) {
      setBusy(true);
      var done = (data.checks || []).length;
      state.textContent = "Test running since " + time(data.started_at) + "… " + done + " check" + (done === 1 ? "" : "s") + " done.";
      return;
    }
    setBusy(false);
    if (data.tested_at) { refreshRecentChanges(); }
    if (data.stale) {
      state.textContent = "The test started at " + time(data.started_at) + " did not finish. Click Test Connection to run it again.";
    } else if (testedBefore !== null && data.tested_at === testedBefore) {
      state.textContent = "The test stopped without a result. Click Test Connection to try again.";
    } else if (data.ok) {
      var warnings = (data.checks || []).filter(function (c) { return c.status === "warn"; }).length;
      state.textContent = warnings ? "Test Connection passed with " + warnings + " warning" + (warnings === 1 ? "" : "s") + ": see the checks marked !."
        : "Test Connection passed: every check is green.";
      if (next) { next.hidden = false; }
    } else if (data.tested_at) {
      state.textContent = "Test Connection failed: see the check marked ✗.";
      if (next) { next.hidden = true; }  // the page says what the latest test found
      var failed = list.querySelector("li.check-fail");
      if (failed) { failed.scrollIntoView({ block: "center" }); failed.focus(); }
    }
    testedBefore = null;
  }

  // The page's "Recent changes" list gains the test's own entry ("Tested: passed"): read it again once a test ends.
  function refreshRecentChanges() {
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var selector = "section[aria-labelledby=audit-heading]";
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
        var current = document.querySelector(selector);
        if (!fresh) { return; }
        if (current) { current.replaceWith(fresh); } else { document.querySelector("main").append(fresh); }
      })
      .catch(function () { /* the list stays as it was; the next visit shows it */ });
  }

  function poll() {
    fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        render(data);
        if (data.running) { setTimeout(poll, POLL_MS); }
      })
      .catch(function () { state.textContent = "Lost contact with the portal; retrying…"; setTimeout(poll, POLL_MS * 3); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    setBusy(true);
    state.textContent = "Starting the test…";
    fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" },
                         credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.error) { setBusy(false); state.textContent = data.error; return; }
        testedBefore = data.tested_at;
        if (data.already_running) { testedBefore = null; }
        render(data);
        if (data.running) { setTimeout(poll, POLL_MS); }
      })
      .catch(function () { setBusy(false); state.textContent = "The test could not be started. Try again."; });
  });

  if (section.dataset.running) { poll(); }
})();
