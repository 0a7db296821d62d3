// mattran: small page behaviours as event listeners. The Content-Security-Policy
// forbids inline handlers (onchange=, hx-on), so templates mark elements with
// data attributes and this file (served from the site itself) acts on them.
(function () {
  "use strict";

  // <select data-autosubmit> submits its form as soon as the choice changes.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof Element && el.matches("[data-autosubmit]") && el.form) {
      if (typeof el.form.requestSubmit === "function") {
        el.form.requestSubmit();
      } else {
        el.form.submit();
      }
    }
  });

  // <button data-print> prints the page (vouchers).
  document.addEventListener("click", function (event) {
    var el = event.target;
    if (el instanceof Element && el.closest("[data-print]")) {
      window.print();
    }
  });

  // An element with data-remove-after-request (the unit tree's "+" button)
  // disappears once its htmx request has succeeded.
  document.addEventListener("htmx:afterRequest", function (event) {
    var el = event.detail && event.detail.elt;
    if (el instanceof Element && el.hasAttribute("data-remove-after-request") && event.detail.successful) {
      el.remove();
    }
  });
})();
