// kg serve: small conveniences; every page also works without JavaScript.
"use strict";

document.addEventListener("keydown", (event) => {
  const editor = document.getElementById("editor");
  if (!editor || event.target !== editor) {
    return;
  }
  // Ctrl+Enter (Cmd+Enter on a Mac) runs the query.
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    editor.form.requestSubmit();
    return;
  }
  // Tab indents instead of leaving the editor.
  if (event.key === "Tab" && !event.shiftKey) {
    event.preventDefault();
    const start = editor.selectionStart;
    const end = editor.selectionEnd;
    editor.value = editor.value.slice(0, start) + "  " + editor.value.slice(end);
    editor.selectionStart = editor.selectionEnd = start + 2;
  }
});
