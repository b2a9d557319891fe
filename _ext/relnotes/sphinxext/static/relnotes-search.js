// On a translation's search page: a result whose page title is in the source language (the
// page is not translated) says so, for its title and its summary, which Sphinx's search script
// writes; the page's head names those pages. Loaded by that page only (language_marks.py).
document.addEventListener("DOMContentLoaded", () => {
  const listing = document.getElementById("relnotes-source-language-pages");
  const results = document.getElementById("search-results");
  if (!listing || !results) return;
  const { language, pages } = JSON.parse(listing.textContent);
  const known = new Set(pages);
  const mark = () => {
    for (const link of results.querySelectorAll("ul.search li > a")) {
      const page = (link.getAttribute("href") || "").split("#")[0].replace(/\.html$/, "");
      if (known.has(page) && !link.parentElement.hasAttribute("lang")) {
        link.parentElement.setAttribute("lang", language);
      }
    }
  };
  new MutationObserver(mark).observe(results, { childList: true, subtree: true });
});
