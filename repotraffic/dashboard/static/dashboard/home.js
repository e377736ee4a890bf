// Sign-up on /: posts the email to the API, then shows the token once with a link to
// the new user's pages. The token is kept nowhere else: not in storage, not in history.
import { apiRequest, copyText, say } from "./api.js";

const form = document.getElementById("signup-form");
const email = document.getElementById("signup-email");
const error = document.getElementById("signup-error");
const result = document.getElementById("signup-result");
const tokenOut = document.getElementById("signup-token");
const linkOut = document.getElementById("signup-link");
const copyStatus = document.getElementById("signup-copy-status");
const submit = form.querySelector("button[type=submit]");

const showAccount = (token) => {
  const link = new URL(`/users/${encodeURIComponent(token)}/repos`, window.location.origin).href;
  tokenOut.textContent = token;
  linkOut.textContent = link;
  linkOut.href = link;
  form.hidden = true;
  result.hidden = false;
  document.getElementById("signup-result-title").focus();
};

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  say(error, "");
  email.removeAttribute("aria-invalid");
  submit.disabled = true;
  try {
    const { data } = await apiRequest("/api/users/create", {
      method: "POST",
      body: { email: email.value },
    });
    showAccount(data.token);
  } catch (failure) {
    say(error, failure.message);
    email.setAttribute("aria-invalid", "true");
    email.focus();
  } finally {
    submit.disabled = false;
  }
});

for (const button of result.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", () => {
    const element = document.getElementById(button.dataset.copy);
    copyText({ text: element.textContent, element, status: copyStatus });
  });
}
