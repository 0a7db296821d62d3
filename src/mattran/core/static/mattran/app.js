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

  // Activity form: show only the fields the chosen activity type uses, from
  // <script id="type-flags" type="application/json"> (ActivityType.uses_*).
  function activityTypeFields() {
    var source = document.getElementById("type-flags");
    var select = document.getElementById("id_type");
    if (!source || !select) {
      return;
    }
    var flags = JSON.parse(source.textContent);
    function apply() {
      var f = flags[select.value] || {};
      ["attendance", "subject", "supervised_units"].forEach(function (name) {
        var box = document.querySelector('[data-field="' + name + '"]');
        if (box) {
          box.hidden = !f[name];
        }
      });
      var label = document.querySelector('label[for="id_subject"]');
      if (label && f.subject_label) {
        label.textContent = f.subject_label;
      }
    }
    select.addEventListener("change", apply);
    apply();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", activityTypeFields);
  } else {
    activityTypeFields();
  }

  // Period picker: show only the parts the chosen kind of period uses.
  function periodPickers() {
    document.querySelectorAll("form[data-period-picker]").forEach(function (form) {
      var kind = form.querySelector("[data-period-kind]");
      function apply() {
        form.querySelectorAll("[data-for-kind]").forEach(function (box) {
          var show = box.getAttribute("data-for-kind").split(" ").indexOf(kind.value) >= 0;
          box.hidden = !show;
          box.querySelectorAll("input, select").forEach(function (el) {
            el.disabled = !show;
          });
        });
      }
      kind.addEventListener("change", apply);
      apply();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", periodPickers);
  } else {
    periodPickers();
  }

  // Every table scrolls inside its own box on a narrow screen: wrap the ones a
  // template left bare (app.css fixes their first column on phones).
  function wrapTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      var parent = table.parentElement;
      if (!parent || parent.classList.contains("table-responsive")) {
        return;
      }
      var box = document.createElement("div");
      box.className = "table-responsive";
      parent.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  // On phones a list becomes cards (app.css, "table-cards": a block per row, each
  // cell headed by its column's name); a table of figures to compare across its
  // columns is marked "table-matrix" in its template and scrolls in its own box
  // with its first column fixed instead.
  function labelCards() {
    document.querySelectorAll("main table:not(.table-matrix)").forEach(function (table) {
      table.classList.add("table-cards");
      var names = [];
      table.querySelectorAll(":scope > thead > tr:last-child > th").forEach(function (th) {
        var span = parseInt(th.getAttribute("colspan") || "1", 10);
        // "CT1<div>20đ</div>" reads "CT1 20đ": every element and line break is a space
        var copy = th.cloneNode(true);
        copy.querySelectorAll("br, div, small, span").forEach(function (el) {
          el.before(" ");
        });
        var name = copy.textContent.replace(/\s+/g, " ").trim();
        for (var i = 0; i < span; i++) {
          names.push(name);
        }
      });
      table.querySelectorAll(":scope > tbody > tr, :scope > tfoot > tr").forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (cell) {
          if (names[col] && !cell.hasAttribute("data-label") && !cell.hasAttribute("colspan")) {
            cell.setAttribute("data-label", names[col]);
          }
          col += parseInt(cell.getAttribute("colspan") || "1", 10);
        });
      });
    });
  }

  function tables() {
    wrapTables();
    labelCards();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tables);
  } else {
    tables();
  }
  document.addEventListener("htmx:afterSwap", tables);
})();
