// The employer form's error notice: focus it when the page opens with errors, so a screen reader
// reads it and a phone shows it; each error link moves focus to its field (a plain anchor would
// only scroll) and brings the field's label into view.
(function () {
  var notice = document.getElementById("fejl");
  if (notice) notice.focus();
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var box = target.closest(".field, fieldset") || target;
      var hidden = box.closest("[hidden]");
      if (hidden) hidden.hidden = false;
      box.scrollIntoView({block: "start"});
      target.focus({preventScroll: true});
    });
  });
})();
