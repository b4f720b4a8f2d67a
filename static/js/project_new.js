// New project (labels/templates/labels/project_new.html): the slug follows the name until it is
// edited (./slug.js), and the schema file field is offered only with "Upload JSON".

import { followName } from "./slug.js";

const form = document.querySelector("[data-new-project]");
if (form) {
  followName(form.querySelector("[data-slug-source]"), form.querySelector("[data-slug-target]"));

  const fileField = form.querySelector("[data-schema-file]");
  const showFile = () => {
    const upload = form.querySelector("input[name=schema]:checked")?.value === "upload";
    const hasError = fileField.querySelector(".error") !== null;
    fileField.hidden = !upload && !hasError;
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "schema") showFile();
  });
  showFile();
}
