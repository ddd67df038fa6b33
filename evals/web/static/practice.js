// Length at speaking pace as the person types (the clock counts spoken minutes at the page's words a minute).
// A file of its own: the app's Content-Security-Policy runs no inline script.
const box = document.getElementById("answer"), out = document.getElementById("live-length");
if (box && out) {
  const pace = Number(out.dataset.wordsPerMinute), limit = out.dataset.limit;
  box.addEventListener("input", () => {
    const words = box.value.trim() ? box.value.trim().split(/\s+/).length : 0;
    out.textContent = `${words} words, about ${(words / pace).toFixed(1)} min spoken (${limit} at most).`;
  });
}
