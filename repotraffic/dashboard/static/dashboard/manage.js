// The owner's panel on /users/<token>/repos (_manage.html): the GitHub token, adding,
// importing and deleting repositories, and share links, all through the JSON API with
// the token from the page's own address. Never loaded on /share/<key>/ pages.
import { apiRequest, copyText, say } from "./api.js";

const token = decodeURIComponent(window.location.pathname.split("/")[2] || "");
const pagesBase = `/users/${encodeURIComponent(token)}/repos`;
const api = (path, options = {}) => apiRequest(path, { ...options, token });
const byId = (id) => document.getElementById(id);

const panel = byId("manage");
const toggle = byId("manage-toggle");
const body = byId("manage-body");

// Folded away above the overview until asked for; open for someone with nothing tracked.
const panelShow = (shown) => {
  body.hidden = !shown;
  toggle.setAttribute("aria-expanded", String(shown));
  toggle.textContent = shown ? "Hide" : "Show";
};
toggle.addEventListener("click", () => panelShow(body.hidden));
// The share link whose address is shown (known only when it is created).
let shownLinkId = null;
let repositories = [];

const fullName = (url) => url.replace(/^https:\/\/github\.com\//, "");
const dateOf = (timestamp) => (timestamp ? timestamp.slice(0, 10) : "");

// Runs an API action with its button disabled, showing the outcome in words.
const run = async ({ button, ok, error, action }) => {
  say(ok, "");
  say(error, "");
  if (button) button.disabled = true;
  try {
    const message = await action();
    if (message) say(ok, message);
    return true;
  } catch (failure) {
    say(error, failure.message);
    return false;
  } finally {
    if (button) button.disabled = false;
  }
};

// A yes/no question in a modal dialog; resolves to true on yes.
const dialog = byId("manage-confirm");
// The open question's answer. The close event of a question closed with Escape can
// arrive after the next one has opened: that question is answered "no" then, and a
// close event while the dialog is open is not an answer.
let pending = null;
const confirmAction = ({ question, detail, yes }) =>
  new Promise((resolve) => {
    pending?.(false);
    const answer = (value) => {
      dialog.removeEventListener("close", closed);
      if (pending === answer) pending = null;
      resolve(value);
    };
    const closed = () => {
      if (!dialog.open) answer(dialog.returnValue === "yes");
    };
    pending = answer;
    dialog.querySelector("#manage-confirm-question strong").textContent = question;
    byId("manage-confirm-detail").textContent = detail;
    byId("manage-confirm-yes").textContent = yes;
    dialog.returnValue = "";
    dialog.addEventListener("close", closed);
    dialog.showModal();
    byId("manage-confirm-no").focus();
  });
byId("manage-confirm-yes").addEventListener("click", () => dialog.close("yes"));
byId("manage-confirm-no").addEventListener("click", () => dialog.close("no"));

const element = (tag, { text = "", className = "", attributes = {} } = {}) => {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
};

const buttonFor = (label, name, className) => {
  const button = element("button", { className, attributes: { type: "button" } });
  button.append(label, element("span", { text: ` ${name}`, className: "visually-hidden" }));
  return button;
};

// Tracked repositories

const renderRepositories = () => {
  const list = byId("manage-repos");
  list.replaceChildren(
    ...repositories.map((repository) => {
      const name = fullName(repository.url);
      const item = element("li");
      const label = element("span");
      label.append(element("a", { text: name, attributes: { href: `${pagesBase}/${repository.id}` } }));
      if (repository.last_error) {
        label.append(element("br"), element("small", { text: repository.last_error }));
      }
      const remove = buttonFor("Delete", name, "danger");
      remove.addEventListener("click", () => repositoryDelete({ repository, name, button: remove }));
      item.append(label, remove);
      return item;
    }),
  );
  byId("manage-repos-count").textContent = `(${repositories.length})`;
  byId("manage-repos-empty").hidden = repositories.length > 0;
  if (repositories.length) byId("manage-links-section").hidden = false;
  const scope = byId("manage-link-scope");
  const chosen = scope.value;
  scope.replaceChildren(
    element("option", { text: "All my repositories", attributes: { value: "" } }),
    ...repositories.map((repository) =>
      element("option", { text: `Only ${fullName(repository.url)}`, attributes: { value: repository.id } }),
    ),
  );
  scope.value = repositories.some((repository) => repository.id === chosen) ? chosen : "";
};

const repositoriesLoad = async () => {
  const { data } = await api("/api/repos");
  repositories = [...data].sort((a, b) => fullName(a.url).localeCompare(fullName(b.url)));
  renderRepositories();
};

const repositoryDelete = async ({ repository, name, button }) => {
  const yes = await confirmAction({
    question: `Delete ${name}?`,
    detail: "repotraffic stops tracking it and deletes all the traffic it has stored for it. This cannot be undone.",
    yes: "Delete",
  });
  if (!yes) return;
  const ok = byId("manage-repos-ok");
  const done = await run({
    button,
    ok,
    error: byId("manage-repos-error"),
    action: async () => {
      await api(`/api/repos/${encodeURIComponent(repository.id)}/delete`, { method: "POST" });
      await repositoriesLoad();
      await shareLinksLoad();
      return `Deleted ${name} and its stored traffic. Reload the page to update the charts.`;
    },
  });
  (done ? ok : byId("manage-repos-title")).focus();
};

// GitHub token

// The panel says whether a token is saved (the server renders it; this keeps it in step
// with the API's answers): the state, the submit button's label, the remove button.
const tokenStateShow = ({ has_token: saved, login }) => {
  const state = byId("manage-token-state");
  state.dataset.saved = String(saved);
  state.querySelector("[data-token-state='saved']").hidden = !saved;
  state.querySelector("[data-token-state='none']").hidden = saved;
  state.querySelector("[data-token-login]").textContent = saved && login ? ` (GitHub user ${login})` : "";
  const submit = byId("manage-token-submit");
  submit.textContent = saved ? submit.dataset.labelSaved : submit.dataset.labelNone;
  byId("manage-token-remove-row").hidden = !saved;
};

byId("manage-token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = byId("manage-token-input");
  await run({
    button: event.submitter,
    ok: byId("manage-token-ok"),
    error: byId("manage-token-error"),
    action: async () => {
      const { data } = await api("/api/users/github-token", { method: "POST", body: { token: input.value } });
      input.value = "";
      tokenStateShow(data);
      return `Token saved${data.login ? ` for GitHub user ${data.login}` : ""}: it collects your repositories from now on.`;
    },
  });
});

byId("manage-token-remove").addEventListener("click", async (event) => {
  const done = await run({
    button: event.currentTarget,
    ok: byId("manage-token-ok"),
    error: byId("manage-token-error"),
    action: async () => {
      const { data } = await api("/api/users/github-token/delete", { method: "POST" });
      tokenStateShow(data);
      return "Token removed.";
    },
  });
  // The button is gone with the token: keep the keyboard in the section.
  if (done) byId("manage-token-input").focus();
});

// Adding and importing

byId("manage-add-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = byId("manage-add-url");
  const url = input.value.trim();
  await run({
    button: event.submitter,
    ok: byId("manage-add-ok"),
    error: byId("manage-add-error"),
    action: async () => {
      await api("/api/repos/create", { method: "POST", body: { url } });
      input.value = "";
      await repositoriesLoad();
      return `Added ${fullName(url)}: GitHub confirms its traffic can be read. Its first figures appear after the first collection.`;
    },
  });
});

const outcomeList = (title, items, describe) => {
  const block = element("div");
  block.append(element("p", { text: `${title}: ${items.length}` }));
  if (items.length) {
    const list = element("ul");
    list.append(...items.map((item) => element("li", { text: describe(item) })));
    block.append(list);
  }
  return block;
};

byId("manage-import").addEventListener("click", (event) => {
  const outcome = byId("manage-import-outcome");
  outcome.replaceChildren();
  return run({
    button: event.currentTarget,
    ok: outcome,
    error: byId("manage-import-error"),
    action: async () => {
      const { data } = await api("/api/repos/import", { method: "POST", body: { all: true } });
      const named = (item) => `${item.owner}/${item.name}`;
      outcome.replaceChildren(
        outcomeList("Added", data.added, named),
        outcomeList("Already tracked", data.already_tracked, named),
        outcomeList("Refused", data.refused, (item) => `${item.full_name}: ${item.reason}`),
      );
      for (const listing of data.listings || []) {
        if (listing.error) outcome.append(element("p", { text: listing.error }));
      }
      if (data.note) outcome.append(element("p", { text: data.note }));
      outcome.hidden = false;
      await repositoriesLoad();
      return "";
    },
  });
});

// Share links

const renderShareLinks = (links) => {
  const names = new Map(repositories.map((repository) => [repository.id, fullName(repository.url)]));
  byId("manage-links").replaceChildren(
    ...links.map((link) => {
      const what = link.repository_id ? names.get(link.repository_id) || "one repository" : "All repositories";
      const item = element("li");
      const label = element("span");
      label.append(element("strong", { text: what }));
      if (link.label) label.append(` · ${link.label}`);
      label.append(element("br"));
      const when = link.revoked_at
        ? `created ${dateOf(link.created_at)}, revoked ${dateOf(link.revoked_at)}`
        : `created ${dateOf(link.created_at)}`;
      label.append(element("small", { text: when }));
      item.append(label);
      if (!link.revoked_at) {
        const revoke = buttonFor("Revoke", `the link to ${what}${link.label ? ` (${link.label})` : ""}`, "danger");
        revoke.addEventListener("click", () => shareLinkRevoke({ link, what, button: revoke }));
        item.append(revoke);
      }
      return item;
    }),
  );
};

const shareLinksLoad = async () => {
  const { data } = await api("/api/share-links");
  // Links made before every repository was deleted: still there to revoke.
  if (data.length) byId("manage-links-section").hidden = false;
  renderShareLinks(data);
};

byId("manage-link-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const scope = byId("manage-link-scope").value;
  const label = byId("manage-link-label");
  await run({
    button: event.submitter,
    ok: byId("manage-links-ok"),
    error: byId("manage-link-error"),
    action: async () => {
      const body = { label: label.value };
      if (scope) body.repository_id = scope;
      const { data } = await api("/api/share-links/create", { method: "POST", body });
      shownLinkId = data.id;
      const link = byId("manage-link-url");
      link.textContent = data.url;
      link.href = data.url;
      byId("manage-link-copy-status").textContent = "";
      byId("manage-link-new").hidden = false;
      label.value = "";
      await shareLinksLoad();
      link.focus();
      return "";
    },
  });
});

byId("manage-link-copy").addEventListener("click", () => {
  const link = byId("manage-link-url");
  copyText({ text: link.textContent, element: link, status: byId("manage-link-copy-status") });
});

const shareLinkRevoke = async ({ link, what, button }) => {
  const yes = await confirmAction({
    question: `Revoke the share link to ${what.toLowerCase() === "all repositories" ? "all your repositories" : what}?`,
    detail: "Anyone who opens it from now on gets “page not found”. This cannot be undone.",
    yes: "Revoke",
  });
  if (!yes) return;
  const ok = byId("manage-links-ok");
  const done = await run({
    button,
    ok,
    error: byId("manage-link-error"),
    action: async () => {
      await api(`/api/share-links/${encodeURIComponent(link.id)}/revoke`, { method: "POST" });
      if (shownLinkId === link.id) byId("manage-link-new").hidden = true;
      await shareLinksLoad();
      return `Revoked the link to ${what}.`;
    },
  });
  (done ? ok : byId("manage-links-title")).focus();
};

// "Add a repository" in the empty overview: to the panel's field for it.
document.querySelectorAll("[data-manage-add]").forEach((link) => {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    panelShow(true);
    byId("manage-add-url").focus();
  });
});

// First load: what the owner has.
const loadError = byId("manage-repos-error");
toggle.hidden = false;
repositoriesLoad()
  .then(() => panelShow(repositories.length === 0))
  .then(shareLinksLoad)
  .catch((failure) => {
    panelShow(true);
    say(loadError, `Could not load your repositories and share links: ${failure.message}`);
  })
  .finally(() => {
    panel.dataset.loaded = "true";
  });
