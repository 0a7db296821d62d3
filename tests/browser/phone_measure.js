// The problems of a page as a phone lays it out (tests/browser/test_phone.py).
// Every table is either cards (each row a block, no sideways scrolling) or sits in
// its own scroll box with its first column fixed (sticky, and still at the box's
// left edge once the box is scrolled to its end); the page itself never scrolls
// sideways, and no control (button, field, link styled as a button) lies outside
// the screen as the page opens, inside a table's box or not.
(() => {
  const width = window.innerWidth;
  const problems = [];
  const page = document.documentElement.scrollWidth - width;
  if (page > 0) problems.push(`the page scrolls sideways by ${page}px`);
  const scrollBox = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll") return p;
    }
    return null;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const describe = (el) => el.outerHTML.slice(0, 90).replace(/\s+/g, " ");
  let tables = 0;
  for (const table of document.querySelectorAll("main table")) {
    if (!visible(table)) continue;
    tables += 1;
    const label = table.querySelector("caption, thead th")?.textContent.trim().slice(0, 30) || "";
    const rows = [...table.querySelectorAll(":scope > tbody > tr, :scope > thead > tr, :scope > tfoot > tr")].filter(visible);
    const cards = rows.length > 0 && rows.every((tr) => getComputedStyle(tr).display === "block");
    if (cards) {
      if (table.getBoundingClientRect().right > width + 1) problems.push(`table "${label}": cards wider than the screen`);
      continue;
    }
    const box = scrollBox(table);
    if (!box) {
      problems.push(`table "${label}": neither cards nor in its own scroll box`);
      continue;
    }
    const boxRect = box.getBoundingClientRect();
    if (boxRect.left < -1 || boxRect.right > width + 1) problems.push(`table "${label}": its scroll box is wider than the screen`);
    // A row of one cell across the table (a section heading, "nothing yet") has no columns.
    const firsts = rows
      .filter((tr) => !(tr.children.length === 1 && tr.firstElementChild.colSpan > 1))
      .map((tr) => tr.firstElementChild)
      .filter((c) => c && visible(c));
    const loose = firsts.filter((c) => getComputedStyle(c).position !== "sticky");
    if (loose.length) problems.push(`table "${label}": ${loose.length} first-column cells are not fixed`);
    if (table.scrollWidth > box.clientWidth + 1 && firsts.length) {
      const before = box.scrollLeft;
      box.scrollLeft = box.scrollWidth;
      const left = box.getBoundingClientRect().left + box.clientLeft;
      const moved = firsts.filter((c) => Math.abs(c.getBoundingClientRect().left - left) > 1);
      if (moved.length) problems.push(`table "${label}": the first column moves when the box scrolls`);
      box.scrollLeft = before;
    }
  }
  for (const el of document.querySelectorAll("main button, main input, main select, main textarea, main a.btn")) {
    if (!visible(el) || el.type === "hidden") continue;
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > width + 1) {
      const where = scrollBox(el) ? " (inside a scroll box)" : "";
      problems.push(`control off-screen${where}: ${describe(el)} (${Math.round(r.left)}..${Math.round(r.right)})`);
    }
  }
  return { problems, tables };
})
