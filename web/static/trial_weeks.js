// The employer form (signup/form.html). Moved out of the page: the Content-Security-Policy
// (web/headers.py) runs no inline scripts.
(function () {
  // Progressive enhancement: show the trial-weeks field only when it applies. Without JS it is always shown.
  document.querySelectorAll("fieldset.opening").forEach(function (box) {
    var weeks = box.querySelector("input[name$='-trial_weeks']");
    if (!weeks) return;
    var wrapper = weeks.closest(".field");
    function sync() {
      var chosen = box.querySelector("input[name$='-paid_hours']:checked");
      wrapper.hidden = !(chosen && chosen.value === "after_trial") && !wrapper.classList.contains("has-error");
    }
    box.querySelectorAll("input[name$='-paid_hours']").forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  });
})();
