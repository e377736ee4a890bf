// What the sign-up page (home.js) and the owner's panel (manage.js) share: calls to the
// JSON API, whose errors arrive as {"error": "..."}, and a copy button.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

const describeStatus = (response) => {
  if (response.status === 429) {
    const wait = response.headers.get("Retry-After");
    return `Too many requests: try again${wait ? ` in ${wait} seconds` : " later"}.`;
  }
  return `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`;
};

// Resolves to {status, data}; rejects with an ApiError whose message is the API's own
// words, or a plain description when there are none (no connection, a proxy's page).
export const apiRequest = async (path, { method = "GET", token = "", body } = {}) => {
  const headers = { Accept: "application/json" };
  if (token) headers["X-API-Token"] = token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError("Could not reach repotraffic: check your connection and try again.", 0);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const words = data && typeof data.error === "string" ? data.error : describeStatus(response);
    throw new ApiError(words, response.status);
  }
  return { status: response.status, data };
};

// Copies text; where the browser refuses (no clipboard permission, an insecure origin),
// selects the element instead so that Ctrl+C or the system menu can copy it.
export const copyText = async ({ text, element, status }) => {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = "Copied to the clipboard.";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    status.textContent = "Your browser did not allow copying: the text is selected, copy it with Ctrl+C (⌘C on a Mac).";
  }
};

// Shows a message in an element that is hidden while empty.
export const say = (element, message) => {
  element.textContent = message;
  element.hidden = !message;
};
