// Sync pages: live run progress, Sync Now / Preview without a reload, scope panels, group search, filter preview.
(function () {
  "use strict";
  var ACTIVE = { queued: true, running: true };

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setText(root, selector, value) {
    var node = root.querySelector(selector);
    if (node) { node.textContent = value; }
    return node;
  }

  function badgeLevel(status) {
    return status === "succeeded" ? "ok" : status === "failed" ? "error" : status === "needs_approval" ? "warn" : "muted";
  }

  function render(block, run) {
    block.dataset.runStatus = run.status;
    var badge = setText(block, "[data-field=status_label]", run.status_label);
    if (badge) { badge.className = "badge badge-" + badgeLevel(run.status); }
    setText(block, "[data-field=phase]", run.phase || "");
    setText(block, "[data-field=graph_requests]", String(run.graph_requests));
    block.querySelectorAll("[data-count]").forEach(function (node) {
      node.textContent = String(run.counts[node.dataset.count] || 0);
    });
    var error = block.querySelector("[data-field=error]");
    if (error) { error.textContent = run.error || ""; error.hidden = !run.error; }
  }

  function refreshEvents() {
    var table = document.querySelector("table.events tbody");
    if (!table) { return; }
    fetch(window.location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelector("table.events tbody");
      if (fresh) { table.replaceWith(fresh); }
      var banner = doc.querySelector(".banner-warn");
      var card = document.querySelector(".run-progress");
      if (banner && card && !document.querySelector(".banner-warn")) { card.parentNode.appendChild(banner); }
    });
  }

  function watch(block) {
    var url = block.dataset.progressUrl;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (run) {
          render(block, run);
          if (ACTIVE[run.status]) { setTimeout(tick, 1000); } else { refreshEvents(); }
        })
        .catch(function () { setTimeout(tick, 3000); });
    }
    if (ACTIVE[block.dataset.runStatus]) { setTimeout(tick, 500); }
  }

  document.querySelectorAll(".run-progress[data-progress-url]").forEach(watch);

  // Sync Now / Preview changes: start the run, then show its progress here.
  var template = null;
  document.querySelectorAll("form[data-start-run]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, { method: "POST", credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrf(form) } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (result) {
          button.disabled = false;
          var area = document.getElementById("run-area");
          if (!result.ok) {
            area.textContent = "";
            var p = document.createElement("p"); p.className = "error"; p.textContent = result.body.error || "Could not start.";
            area.appendChild(p); return;
          }
          var run = result.body;
          area.textContent = "";
          if (run.created === false) {
            // Nothing new was started: one run per organization and kind at a time. Say so, not "your run".
            var already = document.createElement("p"); already.className = "banner banner-warn"; already.dataset.field = "already";
            already.textContent = "A run was already under way, so nothing new was started: this is that run. " +
              "Start yours again when it has finished.";
            area.appendChild(already);
          }
          var block = buildProgress(run);
          area.appendChild(block);
          var link = document.createElement("p");
          var a = document.createElement("a"); a.href = run.url; a.textContent = "Open run " + run.id + " (every action, before and after)";
          link.appendChild(a); area.appendChild(link);
          render(block, run);
          watch(block);
        })
        .catch(function () { button.disabled = false; form.submit(); });
    });
  });

  function buildProgress(run) {
    var block = document.createElement("div");
    block.className = "run-progress";
    block.dataset.progressUrl = run.url.replace(/\/$/, "") + "/progress.json";
    block.dataset.runStatus = run.status;
    block.setAttribute("aria-live", "polite");
    var head = document.createElement("p");
    var strong = document.createElement("strong"); strong.textContent = "Run " + run.id; head.appendChild(strong);
    // What started it, as on the run's own page: a preview says that nothing is applied.
    head.appendChild(document.createTextNode(" · " + (run.trigger_label || "") +
      (run.dry_run ? " (nothing is applied)" : "") + " · "));
    var badge = document.createElement("span"); badge.dataset.field = "status_label"; head.appendChild(badge);
    head.appendChild(document.createTextNode(" "));
    var phase = document.createElement("span"); phase.className = "help"; phase.dataset.field = "phase"; head.appendChild(phase);
    block.appendChild(head);
    var dl = document.createElement("dl"); dl.className = "counts";
    var pairs = run.kind === "contacts" ? [["mailboxes", "Mailboxes"], ["folders", "Folders"],
      ["contacts_created", "Contacts created"], ["contacts_updated", "Contacts updated"], ["contacts_deleted", "Contacts deleted"],
      ["mailboxes_failed", "Mailboxes failed"]] : run.kind === "presence" ? [["users", "Users polled"],
      ["changed", "Presence changed"], ["unavailable", "Newly without Teams presence"]] :
      [["read", "Read"], ["created", "Created"], ["updated", "Updated"], ["restored", "Restored"], ["disabled", "Disabled"],
       ["deleted", "Deleted"], ["conflicts", "Conflicts"], ["unchanged", "Unchanged"], ["out_of_scope", "Out of scope"],
       ["purged", "Deleted after the grace period"]];
    pairs.forEach(function (pair) {
      var div = document.createElement("div");
      var dt = document.createElement("dt"); dt.textContent = pair[1];
      var dd = document.createElement("dd"); dd.dataset.count = pair[0]; dd.textContent = "0";
      div.appendChild(dt); div.appendChild(dd); dl.appendChild(div);
    });
    var reqs = document.createElement("div");
    var rdt = document.createElement("dt"); rdt.textContent = "Graph requests";
    var rdd = document.createElement("dd"); rdd.dataset.field = "graph_requests";
    reqs.appendChild(rdt); reqs.appendChild(rdd); dl.appendChild(reqs);
    block.appendChild(dl);
    if (run.kind === "users") {
      var explained = document.createElement("p"); explained.className = "help counts-explained";
      explained.textContent = "Every user read gets one outcome: Read = Created + Updated + Restored + Disabled + Deleted + " +
        "Conflicts + Unchanged + Out of scope. Out of scope are users read but not synchronized (guests, disabled accounts, " +
        "users outside the chosen scope): they get no extension. Extensions deleted after their grace period are counted apart.";
      block.appendChild(explained);
    }
    var error = document.createElement("p"); error.className = "error"; error.dataset.field = "error"; error.hidden = true;
    block.appendChild(error);
    return block;
  }

  // The panels of a radio group follow its choice: <div data-scope-panel="groups"> shows while scope=groups is checked.
  function panelsFollow(name, fallback) {
    var radios = document.querySelectorAll("input[name=" + name + "]");
    function show() {
      var checked = document.querySelector("input[name=" + name + "]:checked");
      var value = checked ? checked.value : fallback;
      document.querySelectorAll("[data-" + name + "-panel]").forEach(function (panel) {
        panel.hidden = panel.dataset[name + "Panel"] !== value;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    if (radios.length) { show(); }
  }
  panelsFollow("scope", "all");
  panelsFollow("numbering", "auto");

  // Group search filters the options of the group list (chosen groups stay visible).
  // The group picker: a checkbox list filtered by the search box; chosen groups always stay visible.
  document.querySelectorAll("[data-group-picker]").forEach(function (picker) {
    var input = picker.querySelector("[data-group-search]");
    var count = picker.querySelector("[data-group-count]");
    var labels = picker.querySelectorAll(".checklist label");
    function update() {
      var q = input.value.trim().toLowerCase();
      var shown = 0, chosen = 0;
      labels.forEach(function (label) {
        var box = label.querySelector("input");
        var match = q === "" || box.checked || label.dataset.name.indexOf(q) !== -1;
        label.hidden = !match;
        if (match) { shown += 1; }
        if (box.checked) { chosen += 1; }
      });
      count.textContent = chosen + " chosen" + (q ? " · " + shown + " of " + labels.length + " shown" : " of " + labels.length + " groups");
    }
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
    picker.addEventListener("change", update);
    update();
  });

  // Filter Preview and pending checks: poll the status until Graph has answered.
  var statusBox = document.getElementById("user-sync-status");
  var statusUrl = statusBox ? statusBox.dataset.statusUrl : null;

  function filterResult(check, title) {
    var div = document.createElement("div");
    div.className = "filter-result filter-" + check.status;
    div.dataset.filterStatus = check.status;
    var p = document.createElement("p");
    var strong = document.createElement("strong"); strong.textContent = title + ": "; p.appendChild(strong);
    var code = document.createElement("code"); code.textContent = check.filter || ""; p.appendChild(code);
    var text = " — ";
    if (check.status === "pending") { text += "asking Microsoft Graph…"; }
    else if (check.status === "valid") {
      text += "valid" + (check.count !== null && check.count !== undefined ? ", " + check.count + " user" + (check.count === 1 ? "" : "s") + " match" : "") +
        (check.advanced ? " (advanced query, eventually consistent)" : "") + ".";
    }
    p.appendChild(document.createTextNode(text));
    if (check.status !== "pending" && check.status !== "valid") {
      var err = document.createElement("span"); err.className = "error"; err.textContent = check.message || ""; p.appendChild(err);
    }
    div.appendChild(p);
    if (check.sample && check.sample.length) {
      var ol = document.createElement("ol"); ol.className = "sample";
      check.sample.forEach(function (u) {
        var li = document.createElement("li"); li.textContent = (u.name || "") + " ";
        var span = document.createElement("span"); span.className = "help"; span.textContent = u.upn || "";
        li.appendChild(span); ol.appendChild(li);
      });
      div.appendChild(ol);
    }
    return div;
  }

  function pollStatus() {
    if (!statusUrl) { return; }
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        var box = document.getElementById("filter-result");
        if (box) {
          box.textContent = "";
          if (state.filter_preview && state.filter_preview.status) { box.appendChild(filterResult(state.filter_preview, "Preview")); }
          var scope = document.querySelector("input[name=scope]:checked");
          if (state.filter_check && state.filter_check.status && scope && scope.value === "filter") {
            box.appendChild(filterResult(state.filter_check, "Saved filter"));
          }
        }
        var groups = document.querySelector("[data-groups-refresh]");
        if (groups && state.groups_refresh && state.groups_refresh.status === "done" && groups.dataset.wasPending) {
          groups.textContent = state.groups_refresh.count + " groups read from Entra. Reload the page to list them.";
        }
        var pending = (state.filter_preview && state.filter_preview.status === "pending") ||
          (state.filter_check && state.filter_check.status === "pending") ||
          (state.groups_refresh && state.groups_refresh.status === "pending");
        if (groups && state.groups_refresh && state.groups_refresh.status === "pending") { groups.dataset.wasPending = "1"; }
        if (pending) { setTimeout(pollStatus, 1000); }
      });
  }

  document.querySelectorAll("[data-filter-preview]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var form = button.form;
      var body = new URLSearchParams();
      body.append("custom_filter", form.querySelector("[name=custom_filter]").value);
      fetch(button.getAttribute("formaction"), { method: "POST", credentials: "same-origin", body: body,
        headers: { Accept: "application/json", "X-CSRFToken": csrf(form) } })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (result) {
          var box = document.getElementById("filter-result");
          if (!result.ok) { box.textContent = result.body.error; return; }
          box.textContent = "";
          box.appendChild(filterResult({ status: "pending", filter: form.querySelector("[name=custom_filter]").value }, "Preview"));
          setTimeout(pollStatus, 700);
        });
    });
  });
  if (document.querySelector("[data-filter-status=pending]") || document.querySelector("[data-groups-refresh]")) { pollStatus(); }

  // A change Microsoft Graph must accept first: when its answer is in, show the page as it now is.
  function pollPendingChange() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (state.pending_change && state.pending_change.status === "pending") { setTimeout(pollPendingChange, 1000); }
        else { window.location.reload(); }
      })
      .catch(function () { setTimeout(pollPendingChange, 3000); });
  }
  if (statusUrl && document.querySelector("[data-pending-change=pending]")) { pollPendingChange(); }
  // Numbering preview: post the form's unsaved values, then poll until a worker has planned the first users.
  function numberingResult(state) {
    var box = document.createElement("div");
    box.dataset.previewStatus = state.status;
    if (state.status === "pending") { box.className = "help"; box.textContent = "Reading the first users from Microsoft Entra ID…"; return box; }
    if (state.status === "error") { box.className = "error"; box.setAttribute("role", "alert"); box.textContent = state.message || ""; return box; }
    if (state.warning) {
      var warn = document.createElement("p"); warn.className = "banner banner-warn"; warn.dataset.previewWarning = "1";
      warn.textContent = state.warning; box.appendChild(warn);
    }
    var users = state.users || [];
    var summary = document.createElement("p"); summary.className = "help";
    summary.textContent = users.length ? (users.length - state.without_number) + " of the first " + users.length + " users in scope would get a number." +
      (state.skipped ? " " + state.skipped + " out of scope (guests or disabled accounts) not listed." : "") : "No user in scope.";
    box.appendChild(summary);
    if (!users.length) { return box; }
    var wrap = document.createElement("div"); wrap.className = "table-wrap";
    var table = document.createElement("table"); table.className = "data numbering-preview-table";
    var head = table.createTHead().insertRow();
    var columns = ["User"].concat(state.attribute ? [state.attribute] : []).concat(["Number", "Why not / note"]);
    columns.forEach(function (name) { var th = document.createElement("th"); th.scope = "col"; th.textContent = name; head.appendChild(th); });
    var body = table.createTBody();
    users.forEach(function (u) {
      var row = body.insertRow();
      var who = row.insertCell(); who.textContent = u.name + " ";
      var upn = document.createElement("span"); upn.className = "help"; upn.textContent = u.upn || ""; who.appendChild(upn);
      if (state.attribute) { row.insertCell().textContent = u.value || "—"; }
      var number = row.insertCell(); number.className = "num"; number.textContent = u.number || "none";
      if (!u.number) { number.className = "error-cell"; }
      row.insertCell().textContent = u.reason || "";
    });
    wrap.appendChild(table); box.appendChild(wrap);
    return box;
  }

  var previewBox = document.querySelector("[data-numbering-preview-box]");
  function pollNumbering(id) {
    fetch(previewBox.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        var out = document.getElementById("numbering-preview-result");
        if (state.status === "none") { out.textContent = "The preview expired: press Preview numbers again."; return; }
        if (state.id !== id || state.status === "pending") { setTimeout(function () { pollNumbering(id); }, 1000); return; }
        out.textContent = ""; out.appendChild(numberingResult(state));
      })
      .catch(function () { setTimeout(function () { pollNumbering(id); }, 3000); });
  }
  document.querySelectorAll("[data-numbering-preview]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var form = button.form;
      var out = document.getElementById("numbering-preview-result");
      fetch(button.getAttribute("formaction"), { method: "POST", credentials: "same-origin", body: new FormData(form),
        headers: { Accept: "application/json", "X-CSRFToken": csrf(form) } })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (result) {
          out.textContent = "";
          if (!result.ok) {
            var p = document.createElement("p"); p.className = "error"; p.setAttribute("role", "alert");
            var fields = result.body.fields || {};
            p.textContent = result.body.error + Object.keys(fields).map(function (k) { return " " + fields[k].join(" "); }).join("");
            out.appendChild(p); return;
          }
          out.appendChild(numberingResult({ status: "pending" }));
          setTimeout(function () { pollNumbering(result.body.id); }, 700);
        });
    });
  });
})();
