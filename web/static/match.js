// The match list's filters are folded on a phone (so the first match is in sight) and open on a
// wide screen. Without JS they stay folded; the summary opens them.
(function () {
  var filters = document.querySelector("details[data-open-wide]");
  if (filters && window.matchMedia("(min-width: 48rem)").matches) { filters.open = true; }
})();
