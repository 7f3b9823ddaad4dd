// After a form is answered in place (HTMX swaps the page's content into <main>), the
// button that had the keyboard focus is gone: move the focus to what the answer says,
// the first field refused, else the message above the form, else the content itself.
document.addEventListener("htmx:afterSwap", function (event) {
  var main = document.getElementById("main");
  if (event.detail.target !== main) {
    return;
  }
  var target =
    main.querySelector("[aria-invalid=true]") ||
    main.querySelector("[role=alert], [role=status]") ||
    main;
  if (!target.matches("input, select, textarea, button, a[href]")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus();
});
