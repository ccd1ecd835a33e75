// Progressive touches only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Ask before a return: it moves points and money back.
  document.querySelectorAll("form[action$='/return']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var ru = document.documentElement.lang === "ru";
      var whole = !event.submitter || event.submitter.value === "all";
      var question = whole ? (ru ? "Оформить возврат всего чека?" : "Return the whole receipt?")
        : (ru ? "Оформить возврат выбранного?" : "Return the selected items?");
      if (!window.confirm(question)) event.preventDefault();
    });
  });
  // Ask before what cannot be undone from the same page (removing a promotion).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  // A form that failed validation: put the cursor in the first field at fault.
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
});
