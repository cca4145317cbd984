// "Udskriv" on pages meant for paper (Hent alle data): the browser's own print dialog. The
// print stylesheet (print.css) hides the menu and the buttons. Without JS, Ctrl+P does the same.
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
