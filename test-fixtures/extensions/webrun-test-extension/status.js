// The extension's "am I logged in?" page: answers from chrome.storage.local
// in the same data-status convention as the test sites.
function reportStatus(status) {
  document.body.dataset.status = JSON.stringify(status);
  document.body.dataset.ready = "1";
}

async function currentStatus() {
  const { session, preferences, installedAt } = await chrome.storage.local.get([
    "session",
    "preferences",
    "installedAt",
  ]);
  if (session?.user === undefined) return { loggedIn: false, detail: "no session in chrome.storage.local" };
  if (preferences?.["ключ 🔑"] !== "ünïcödé")
    return { loggedIn: false, user: session.user, detail: "preferences lost" };
  return { loggedIn: true, user: session.user, detail: `installed ${installedAt ?? "(no installedAt)"}` };
}

async function logIn(event) {
  event.preventDefault();
  const answer = await chrome.runtime.sendMessage({
    type: "login",
    user: document.getElementById("user").value,
  });
  if (!answer?.ok) throw new Error(answer?.error ?? "the service worker did not answer");
  reportStatus(await currentStatus());
}

const form = document.getElementById("login");
if (form !== null) {
  form.addEventListener("submit", (event) =>
    logIn(event).catch((e) => reportStatus({ loggedIn: false, detail: String(e) })),
  );
} else {
  currentStatus().then(reportStatus, (e) => reportStatus({ loggedIn: false, detail: String(e) }));
}
