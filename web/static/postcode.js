// Shows the town for a postcode as it is typed ("2200 København N" / "Ukendt postnummer").
// The server checks the postcode again on save; this is only a quick hint.
(function () {
  var input = document.querySelector("[data-postcode-lookup]");
  if (!input) return;
  var out = document.getElementById("postcode-town");
  var template = input.getAttribute("data-postcode-lookup");
  var latest = 0;
  function check() {
    var code = input.value.trim();
    var ticket = ++latest;
    if (!/^\d{4}$/.test(code)) {
      out.textContent = code ? "Skriv fire cifre" : "";
      return;
    }
    fetch(template.replace("0000", code), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (body) { if (ticket === latest) out.textContent = body.text; })
      .catch(function () { if (ticket === latest) out.textContent = ""; });
  }
  input.addEventListener("input", check);
})();
