// A "copy" button after each read-only field marked .copy-field (the field still works alone).
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll(".copy-field")) {
    input.addEventListener("focus", () => input.select());
    if (!navigator.clipboard) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button--quiet copy-field__button";
    button.textContent = input.dataset.copyLabel;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(input.value);
      button.textContent = input.dataset.copiedLabel;
    });
    input.after(button);
  }
});
