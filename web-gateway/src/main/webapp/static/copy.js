// Copy buttons of the result page: each names the element whose text it copies.
(function () {
  "use strict";
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copy).textContent;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch (e) {
        button.textContent = "Select and copy by hand";
      }
      setTimeout(() => (button.textContent = "Copy"), 2000);
    });
  }
})();
