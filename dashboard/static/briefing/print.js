// The "Print" button of the briefing and profile pages (a file, not inline script: the portal's CSP allows only own assets).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".print-button").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
