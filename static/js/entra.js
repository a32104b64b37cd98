// Integrations > Microsoft Entra ID: copy buttons, and show only the fields of the chosen credential type.
(function () {
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = document.getElementById(button.dataset.copyTarget).textContent.trim();
      var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 2000); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {
        var area = document.createElement("textarea");
        area.value = text; document.body.appendChild(area); area.select();
        document.execCommand("copy"); document.body.removeChild(area); done();
      }
    });
  });
  var radios = document.querySelectorAll("input[name='credential_type']");
  function showCredentialFields() {
    var checked = document.querySelector("input[name='credential_type']:checked");
    var type = checked ? checked.value : "secret";
    document.getElementById("secret-fields").hidden = type !== "secret";
    document.getElementById("certificate-fields").hidden = type !== "certificate";
  }
  radios.forEach(function (radio) { radio.addEventListener("change", showCredentialFields); });
  if (radios.length) { showCredentialFields(); }
})();

// Check the formats while the admin types (the server checks again), and after a refused Save put the cursor in
// the first field with an error.
(function () {
  var GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
  var DOMAIN = /^(?=.{4,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/;
  var ALIASES = ["common", "organizations", "consumers"];
  var rules = {
    id_tenant_id: function (v) {
      if (ALIASES.indexOf(v.toLowerCase()) >= 0) { return "“" + v + "” is not a tenant. Enter your own Directory (tenant) ID."; }
      return GUID.test(v) || DOMAIN.test(v) ? "" : "Enter the Directory (tenant) ID (a GUID) or a verified domain like contoso.onmicrosoft.com.";
    },
    id_client_id: function (v) { return GUID.test(v) ? "" : "Enter the Application (client) ID, a GUID like 00001111-aaaa-2222-bbbb-3333cccc4444."; },
    id_client_secret: function (v) {
      if (GUID.test(v)) { return "This looks like the Secret ID, not the secret's Value."; }
      if (v.length > 1024) { return "A client secret has at most 1024 characters."; }
      if (v.length < 16 || /\s/.test(v)) { return "This is not a complete client secret Value (about 40 characters, no spaces)."; }
      return "";
    }
  };
  Object.keys(rules).forEach(function (id) {
    var input = document.getElementById(id);
    if (!input) { return; }
    var note = document.createElement("p");
    note.className = "error live-check"; note.id = id + "_live"; note.hidden = true;
    note.setAttribute("aria-live", "polite");
    input.closest(".field").append(note);
    input.addEventListener("input", function () {
      var value = input.value.trim();
      var message = value ? rules[id](value) : "";
      note.textContent = message; note.hidden = !message;
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    });
  });
  var firstError = document.querySelector("#entra-form .has-error input:not([type=hidden]), #entra-form .has-error textarea, #entra-form .has-error select");
  if (firstError) {
    var fields = document.getElementById("certificate-fields");
    if (fields && fields.contains(firstError) && fields.hidden) { fields.hidden = false; }
    firstError.focus();
    firstError.scrollIntoView({ block: "center" });
  }
})();
