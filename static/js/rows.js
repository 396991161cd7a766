// After htmx swaps a row in or out of edit mode, move the keyboard focus to the element the
// server marked with data-focus-after-swap (the first field, or the row's update button), so
// keyboard and screen-reader users are not left on a node that no longer exists.
document.addEventListener("htmx:afterSettle", function () {
  var target = document.querySelector("[data-focus-after-swap]");
  if (target) {
    target.removeAttribute("data-focus-after-swap");
    target.focus();
  }
});
