// Line numbers beside the plan textarea, and "go to line" for each reported problem. No network.
(function () {
  const text = document.getElementById("plan-text");
  if (!text) return;
  const gutter = text.parentElement.querySelector(".gutter");
  function renumber() {
    const count = text.value.split("\n").length;
    let out = "";
    for (let i = 1; i <= count; i++) out += i + "\n";
    gutter.textContent = out;
    gutter.scrollTop = text.scrollTop;
  }
  function gotoLine(line) {
    const lines = text.value.split("\n");
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] || "").length);
    const lineHeight = text.scrollHeight / Math.max(lines.length, 1);
    text.scrollTop = Math.max(0, (line - 5) * lineHeight);
  }
  text.addEventListener("input", renumber);
  text.addEventListener("scroll", () => { gutter.scrollTop = text.scrollTop; });
  document.addEventListener("click", (event) => {
    const link = event.target.closest(".goto-line");
    if (!link) return;
    event.preventDefault();
    const line = parseInt(link.dataset.line, 10);
    if (line > 0) gotoLine(line);
  });
  renumber();
})();
