// What every page needs from script, kept out of the HTML so the Content-Security-Policy
// can forbid inline script and style.

// Result bars: the width comes from data-percent (set through the CSSOM, which the
// policy allows, instead of a style attribute, which it does not).
for (const fill of document.querySelectorAll("[data-percent]")) {
  const percent = Math.max(0, Math.min(100, Number(fill.dataset.percent) || 0));
  fill.style.width = `${percent}%`;
}

// After a refused submit, the keyboard lands on what needs fixing, not at the top of the page.
if (document.querySelector("[data-focus-first-error]")) {
  const target = document.querySelector("main [data-form-error], main [aria-invalid=true]");
  if (target) target.focus();
}
