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
