// Integrations > Collaboration > Outlook contacts: the shared-mailbox picker.
// Searching and folder listing run in a Celery task (the web process never waits on Microsoft): POST starts
// a picker request, then its JSON is polled until done. The choice lives in the hidden shared_mailboxes field.
(function () {
  var form = document.getElementById("contacts-settings");
  if (!form) { return; }
  var hidden = form.querySelector("input[name='shared_mailboxes']");
  var chosenList = document.getElementById("picker-chosen");
  var empty = document.getElementById("picker-empty");
  var results = document.getElementById("picker-results");
  var status = document.getElementById("picker-status");
  var query = document.getElementById("picker-query");
  var csrf = form.querySelector("input[name='csrfmiddlewaretoken']").value;
  var chosen = [];
  try { chosen = JSON.parse(hidden.value || "[]"); } catch (e) { chosen = []; }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function save() { hidden.value = JSON.stringify(chosen); }

  function ask(action, value, done) {
    var body = new URLSearchParams({ action: action, query: value });
    fetch(form.dataset.pickerUrl, { method: "POST", body: body, credentials: "same-origin",
                                    headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (answer) {
        if (!answer.ok) { done(answer.data.error || "The request was refused."); return; }
        poll(answer.data.poll, 0, done);
      })
      .catch(function () { done("The portal could not be reached."); });
  }

  function poll(url, tries, done) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.status === "done") { done(null, data.results); }
      else if (data.status === "failed") { done(data.error || "Microsoft Graph answered with an error."); }
      else if (tries > 120) { done("No answer yet: is a worker running? Try again later."); }
      else { setTimeout(function () { poll(url, tries + 1, done); }, tries < 10 ? 300 : 1000); }
    }).catch(function () { done("The portal could not be reached."); });
  }

  function renderChosen() {
    chosenList.textContent = "";
    empty.hidden = chosen.length > 0;
    chosen.forEach(function (mailbox, index) {
      var item = el("li");
      item.dataset.mailbox = mailbox.id;
      var row = el("div", null, "picker-row");
      row.appendChild(el("strong", mailbox.name || mailbox.address));
      row.appendChild(el("span", mailbox.address, "help"));
      var summary = mailbox.all_folders ? "All contact folders"
        : mailbox.folders.map(function (f) { return f.name; }).join(", ");
      row.appendChild(el("span", summary, "badge"));
      var folders = el("button", "Choose folders", "link-button");
      folders.type = "button";
      folders.addEventListener("click", function () { listFolders(mailbox, item); });
      var remove = el("button", "Remove", "link-button");
      remove.type = "button";
      remove.setAttribute("aria-label", "Remove " + (mailbox.name || mailbox.address));
      remove.addEventListener("click", function () { chosen.splice(index, 1); save(); renderChosen(); });
      row.appendChild(folders);
      row.appendChild(remove);
      item.appendChild(row);
      chosenList.appendChild(item);
    });
  }

  function listFolders(mailbox, item) {
    status.textContent = "Listing the folders of " + (mailbox.name || mailbox.address) + "…";
    ask("folders", mailbox.id, function (error, folders) {
      if (error) { status.textContent = error; return; }
      status.textContent = "";
      var list = el("ul", null, "picker-folders");
      var picked = mailbox.all_folders ? null : mailbox.folders.map(function (f) { return f.id; });
      var all = el("li");
      var allLabel = el("label");
      var allBox = el("input");
      allBox.type = "checkbox"; allBox.checked = mailbox.all_folders; allBox.dataset.all = "1";
      allLabel.appendChild(allBox); allLabel.appendChild(document.createTextNode(" All folders, including new ones"));
      all.appendChild(allLabel); list.appendChild(all);
      folders.forEach(function (folder) {
        var li = el("li"), label = el("label"), box = el("input");
        box.type = "checkbox"; box.value = folder.id; box.dataset.name = folder.name;
        box.checked = mailbox.all_folders || picked.indexOf(folder.id) >= 0;
        label.appendChild(box); label.appendChild(document.createTextNode(" " + folder.name));
        li.appendChild(label); list.appendChild(li);
      });
      list.addEventListener("change", function (event) {
        var boxes = list.querySelectorAll("input[value]");
        if (event.target.dataset.all) {
          boxes.forEach(function (b) { b.checked = event.target.checked; });
        } else {
          allBox.checked = false;
        }
        mailbox.all_folders = allBox.checked;
        mailbox.folders = [];
        if (!allBox.checked) {
          boxes.forEach(function (b) { if (b.checked) { mailbox.folders.push({ id: b.value, name: b.dataset.name }); } });
        }
        save();
      });
      var old = item.querySelector(".picker-folders");
      if (old) { old.remove(); }
      item.appendChild(list);
    });
  }

  function search() {
    var value = query.value.trim();
    if (!value) { status.textContent = "Type part of a mailbox's name or address."; return; }
    status.textContent = "Searching…";
    results.textContent = "";
    ask("search", value, function (error, found) {
      if (error) { status.textContent = error; return; }
      status.textContent = found.length ? found.length + " mailbox(es) found." : "No mailbox found.";
      found.forEach(function (mailbox) {
        var li = el("li"), row = el("div", null, "picker-row");
        row.appendChild(el("strong", mailbox.name));
        row.appendChild(el("span", mailbox.address, "help"));
        if (mailbox.shared) { row.appendChild(el("span", "Shared mailbox", "badge")); }
        var add = el("button", "Add", "button");
        add.type = "button";
        add.setAttribute("aria-label", "Add " + (mailbox.name || mailbox.address));
        add.disabled = chosen.some(function (c) { return c.id === mailbox.id; });
        add.addEventListener("click", function () {
          chosen.push({ id: mailbox.id, name: mailbox.name, address: mailbox.address, all_folders: true, folders: [] });
          add.disabled = true; save(); renderChosen();
        });
        row.appendChild(add);
        li.appendChild(row);
        results.appendChild(li);
      });
    });
  }

  document.getElementById("picker-search").addEventListener("click", search);
  query.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(); }
  });
  renderChosen();
})();

// A change Microsoft Graph checks first (new shared mailboxes): when its answer is in, show the page as it now is.
(function () {
  var banner = document.querySelector("[data-contacts-pending=pending]");
  if (!banner) { return; }
  function check() {
    fetch(banner.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (state.pending_change && state.pending_change.status === "pending") { setTimeout(check, 1000); }
        else { window.location.reload(); }
      })
      .catch(function () { setTimeout(check, 3000); });
  }
  check();
})();
