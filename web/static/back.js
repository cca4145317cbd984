// "Gå tilbage" on the page shown when a form had expired: going back in the history (instead of
// opening the page again) lets the browser restore what was typed. Without JS the link opens
// the page anew. If there is no page to go back to, the link is followed as usual.
(function () {
  document.querySelectorAll("[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });
})();
