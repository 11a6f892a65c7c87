// smokkelradar: the only script of the app (Content-Security-Policy: script-src 'self').
// Progressive enhancement: controls marked data-autosubmit submit their form when changed;
// every page works without this file.
"use strict";
document.addEventListener("change", function (event) {
  var control = event.target;
  if (control && control.hasAttribute && control.hasAttribute("data-autosubmit") && control.form) {
    control.form.requestSubmit();
  }
});
