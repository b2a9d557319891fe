// Copy buttons for verified snippets: they copy the file's exact bytes, kept base64-encoded in
// a <template> beside the block, because the highlighted text loses the final newline.
// The words come from the extension's message catalog (window.RELNOTES_MESSAGES, per language).
document.addEventListener("DOMContentLoaded", () => {
  const words = Object.assign(
    { copy: "copy", copied: "copied", copyTitle: "Copy the file's exact contents" },
    window.RELNOTES_MESSAGES || {},
  );
  for (const snippet of document.querySelectorAll("div.rn-snippet")) {
    const bytes = snippet.querySelector("template.rn-snippet-bytes");
    const caption = snippet.querySelector(".rn-snippet-caption");
    if (!bytes || !caption) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "rn-copy";
    button.textContent = words.copy;
    button.title = words.copyTitle;
    // The accessible name says which file: a page may have several copy buttons.
    const name = caption.querySelector("code");
    button.setAttribute("aria-label", name ? `${words.copy} ${name.textContent}` : words.copy);
    button.addEventListener("click", async () => {
      const raw = Uint8Array.from(atob(bytes.dataset.content), (c) => c.charCodeAt(0));
      await navigator.clipboard.writeText(new TextDecoder().decode(raw));
      button.textContent = words.copied;
      setTimeout(() => { button.textContent = words.copy; }, 1500);
    });
    caption.append(" ", button);
  }
});
