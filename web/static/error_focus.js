// After a failed save, focus moves to the error summary (marked data-focus-on-load), so a screen
// reader reads it first and a keyboard user starts from it - as the public employer form does.
(function () {
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }
})();
