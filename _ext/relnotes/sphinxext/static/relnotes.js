// Copy buttons for verified snippets: they copy the file's exact bytes, kept base64-encoded in
// a <template> beside the block, because the highlighted text loses the final newline.
document.addEventListener("DOMContentLoaded", () => {
  for (const snippet of document.querySelectorAll("div.rn-snippet")) {
    const bytes = snippet.querySelector("template.rn-snippet-bytes");
    const caption = snippet.querySelector(".rn-snippet-caption");
    if (!bytes || !caption) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "rn-copy";
    button.textContent = "copy";
    button.title = "Copy the file's exact contents";
    button.addEventListener("click", async () => {
      const raw = Uint8Array.from(atob(bytes.dataset.content), (c) => c.charCodeAt(0));
      await navigator.clipboard.writeText(new TextDecoder().decode(raw));
      button.textContent = "copied";
      setTimeout(() => { button.textContent = "copy"; }, 1500);
    });
    caption.append(" ", button);
  }
});
