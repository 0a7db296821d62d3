// The problems of a page as a phone lays it out (tests/browser/test_phone.py).
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
  for (const el of document.querySelectorAll("main button, main input, main select, main textarea, main a.btn")) {
    if (!visible(el) || el.type === "hidden" || scrollBox(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > width + 1) {
      problems.push(`control off-screen: ${el.outerHTML.slice(0, 90)} (${Math.round(r.left)}..${Math.round(r.right)})`);
    }
  }
  for (const table of document.querySelectorAll("main table")) {
    if (!visible(table)) continue;
    const box = scrollBox(table);
    const r = table.getBoundingClientRect();
    if (!box) {
      if (r.right > width + 1) problems.push(`table wider than the screen without its own scroll box`);
      continue;
    }
    if (box.getBoundingClientRect().right > width + 1) problems.push(`a table's scroll box is wider than the screen`);
    if (table.scrollWidth > box.clientWidth + 1) {
      const first = table.querySelector("tbody tr > :first-child");
      if (first && getComputedStyle(first).position !== "sticky") {
        problems.push(`a table scrolls sideways but its first column is not fixed`);
      }
    }
  }
  return problems;
})
